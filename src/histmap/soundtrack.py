"""The narration track of a video: each clip placed when its event's caption appears, mixed,
loudness-normalised (EBU R128, ffmpeg's ``loudnorm``) and muxed into the MP4 as AAC.

The video is encoded first, silent, to a temporary file; the sound is muxed from it
into a second temporary file beside the target, which replaces the target only when
complete: the MP4 at the target is never half-written, and never one without its voice.
ffmpeg comes from imageio-ffmpeg (no other decoder).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import imageio_ffmpeg

from ._errors import OutputError
from .encode import temp_beside
from .narration import SAMPLE_RATE, Clip

if TYPE_CHECKING:
    from .render import FramePlan

LOUDNESS = "I=-16:TP=-2:LRA=11"
"""EBU R128 normalisation: -16 LUFS integrated (spoken word online), true peaks at most
-2 dBTP, so that no sample clips, even after the AAC encoder's overshoot."""


def clip_starts(plan: FramePlan, clips: list[Clip]) -> list[tuple[Clip, float]]:
    """Each clip with the second it starts: when its event's caption appears (clips of
    events the video does not show are left out)."""
    by_id = {c.event: c for c in clips}
    story = plan.story
    placed = []
    for window in sorted(story.schedule.captions, key=lambda w: w.start):
        clip = by_id.get(story.events[window.event].id)
        if clip is not None:
            placed.append((clip, window.start))
    return placed


def mix_graph(starts: list[float], duration: float, loudnorm: str, *, first: int = 1) -> str:
    """ffmpeg's filter graph: input ``first + k`` delayed to ``starts[k]`` (to the sample),
    all mixed without lowering, cut or padded to ``duration`` seconds, then ``loudnorm``'s
    options; out ``[a]``.

    >>> mix_graph([0.5], 2.0, LOUDNESS)  # doctest: +ELLIPSIS
    '[1:a]aresample=48000,...adelay=delays=24000S:all=1[v0];[v0]amix=inputs=1:normalize=0...'
    """
    parts = [
        f"[{first + k}:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=mono,"
        f"adelay=delays={round(start * SAMPLE_RATE)}S:all=1[v{k}]"
        for k, start in enumerate(starts)
    ]
    inputs = "".join(f"[v{k}]" for k in range(len(starts)))
    parts.append(
        f"{inputs}amix=inputs={len(starts)}:normalize=0:duration=longest,"
        f"apad=whole_dur={duration:.6f},loudnorm={loudnorm},"
        f"aresample={SAMPLE_RATE},atrim=end={duration:.6f}[a]"
    )
    return ";".join(parts)


def _measured(placed: list[tuple[Clip, float]], starts: list[float], duration: float) -> str:
    """loudnorm's options for the mix: measured in a first pass, so that the second applies
    one gain to the whole track (``linear``: the voice's own dynamics kept); the one-pass
    (dynamic) normalisation if the measure fails."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats"]
    for clip, _ in placed:
        cmd += ["-i", str(clip.path)]
    graph = mix_graph(starts, duration, f"{LOUDNESS}:print_format=json", first=0)
    done = subprocess.run(
        [*cmd, "-filter_complex", graph, "-map", "[a]", "-f", "null", "-"],
        capture_output=True,
        text=True,
        errors="replace",
    )
    try:
        m = json.loads(done.stderr[done.stderr.rindex("{") : done.stderr.rindex("}") + 1])
        values = [float(m[k]) for k in ("input_i", "input_tp", "input_lra", "input_thresh")]
        offset = float(m["target_offset"])
    except (ValueError, KeyError):
        return LOUDNESS
    if not all(math.isfinite(v) for v in [*values, offset]):
        return LOUDNESS
    i, tp, lra, thresh = values
    return (
        f"{LOUDNESS}:measured_I={i}:measured_TP={tp}:measured_LRA={lra}"
        f":measured_thresh={thresh}:offset={offset}:linear=true"
    )


def add_voice(
    silent: Path, target: Path, placed: list[tuple[Clip, float]], duration: float
) -> Path:
    """Write ``target``, the MP4 ``silent`` with the clips ``placed`` as its one AAC track
    (``duration`` seconds long, the video's); whole or not at all."""
    if not placed:
        os.replace(silent, target)
        return target
    tmp = temp_beside(target)
    starts = [start for _, start in placed]
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-i", str(silent)]
    for clip, _ in placed:
        cmd += ["-i", str(clip.path)]
    cmd += [
        "-filter_complex",
        mix_graph(starts, duration, _measured(placed, starts, duration)),
        "-map",
        "0:v",
        "-map",
        "[a]",
        "-c:v",
        "copy",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(tmp),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
        if done.returncode != 0:
            raise OutputError(f"ffmpeg failed adding the narration to {target}: {done.stderr}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
