"""The narration track of a video: each clip placed when its event's caption appears, mixed,
loudness-normalised (EBU R128, ffmpeg's ``loudnorm``) and muxed into the MP4 as AAC.

The video is encoded first, silent, to a temporary file; the sound is muxed from it
into a second temporary file beside the target, which replaces the target only when
complete: the MP4 at the target is never half-written, and never one without its voice.
ffmpeg comes from imageio-ffmpeg (no other decoder).
"""

from __future__ import annotations

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

LOUDNESS = "I=-16:TP=-1.5:LRA=11"
"""EBU R128 normalisation: -16 LUFS integrated (spoken word online), peaks at most
-1.5 dBTP, so that no sample clips."""


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


def mix_graph(starts: list[float], duration: float) -> str:
    """ffmpeg's filter graph: input ``k + 1`` delayed to ``starts[k]`` (to the sample), all
    mixed without lowering, cut or padded to ``duration`` seconds, normalised; out ``[a]``.

    >>> mix_graph([0.5], 2.0)  # doctest: +ELLIPSIS
    '[1:a]aresample=48000,...adelay=delays=24000S:all=1[v0];[v0]amix=inputs=1:normalize=0...'
    """
    parts = [
        f"[{k + 1}:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=mono,"
        f"adelay=delays={round(start * SAMPLE_RATE)}S:all=1[v{k}]"
        for k, start in enumerate(starts)
    ]
    inputs = "".join(f"[v{k}]" for k in range(len(starts)))
    parts.append(
        f"{inputs}amix=inputs={len(starts)}:normalize=0:duration=longest,"
        f"apad=whole_dur={duration:.6f},loudnorm={LOUDNESS},"
        f"aresample={SAMPLE_RATE},atrim=end={duration:.6f}[a]"
    )
    return ";".join(parts)


def add_voice(
    silent: Path, target: Path, placed: list[tuple[Clip, float]], duration: float
) -> Path:
    """Write ``target``, the MP4 ``silent`` with the clips ``placed`` as its one AAC track
    (``duration`` seconds long, the video's); whole or not at all."""
    if not placed:
        os.replace(silent, target)
        return target
    tmp = temp_beside(target)
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-i", str(silent)]
    for clip, _ in placed:
        cmd += ["-i", str(clip.path)]
    cmd += [
        "-filter_complex",
        mix_graph([start for _, start in placed], duration),
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
