"""Narration clips: a folder of recordings named after the map's event ids, checked and timed.

A clip ``inchon-landing.wav`` (or ``.mp3``, ``.ogg``, ``.m4a``, ``.flac``) is the voice
of the event ``inchon-landing``. Clips are decoded by the ffmpeg of imageio-ffmpeg (no
other decoder): decoding one whole tells whether it is audio, whether it holds any sound,
and its exact length. The story holds each voiced event at least that long
(:mod:`histmap.timeline`); :mod:`histmap.soundtrack` lays the clips on the video.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from ._errors import MapError, OptionError, Problem

AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".m4a", ".flac")
"""The clips a narration folder may hold."""
NOTE_SUFFIXES = (".md", ".txt", ".json")
"""Notes that may lie beside the clips (``histmap narrate`` writes ``script.md``)."""
MAX_CLIP_SECONDS = 120.0
"""The longest clip: an event's voice longer than two minutes is surely a wrong file."""
SAMPLE_RATE = 48_000
"""Clips are decoded (and the soundtrack mixed) at this rate."""
SILENCE = 10 ** (-60 / 20)
"""A clip whose loudest sample is below -60 dBFS holds no voice."""
"""Clips are decoded (and the soundtrack mixed) at this rate."""
FOLDER = "narration"
"""A map folder's own narration: ``narration/`` (and ``narration/xx/`` per language)."""


@dataclass(frozen=True)
class Clip:
    """One event's voice: the event id, the file, and its length in seconds."""

    event: str
    path: Path
    seconds: float


def narration_folder(
    map_folder: Path, narration: str | os.PathLike | None = None, lang: str | None = None
) -> Path | None:
    """The folder of clips a render uses: ``narration`` if given, else the map folder's own
    ``narration/`` if it has one, else none. With a language ``lang``, its subfolder
    (``narration/fr/``) when there is one.

    >>> narration_folder(Path("/nowhere"), None) is None
    True
    """
    if narration is not None:
        folder = Path(narration)
        if not folder.is_dir():
            raise OptionError(f"narration: '{folder}' is not a folder of audio clips")
    else:
        folder = Path(map_folder) / FOLDER
        if not folder.is_dir():
            return None
    if lang and (folder / lang).is_dir():
        return folder / lang
    return folder


def find_clips(
    folder: Path, event_ids: Iterable[str], *, limit: float = MAX_CLIP_SECONDS
) -> tuple[list[Clip], list[Problem]]:
    """The clips in ``folder`` and the problems with its files, each naming the file: not an
    audio file, no sound in it, no event of that id, longer than ``limit`` seconds."""
    ids = set(event_ids)
    clips: list[Clip] = []
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir() or path.suffix.lower() in NOTE_SUFFIXES:
            continue  # hidden and system files, language folders, notes
        problem = _clip_problem(path, ids, limit)
        if isinstance(problem, Problem):
            problems.append(problem)
        else:
            clips.append(Clip(path.stem, path, problem))
    audio = [p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES]
    for stem in sorted({p.stem for p in audio}):
        files = sorted(p.name for p in audio if p.stem == stem)
        if len(files) > 1:
            problems.append(
                Problem(str(folder), f"two clips for the event '{stem}': {', '.join(files)}")
            )
    return clips, problems


def _clip_problem(path: Path, ids: set[str], limit: float) -> Problem | float:
    """The clip's length in seconds, or what is wrong with it."""
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        wanted = " ".join(AUDIO_SUFFIXES)
        return Problem(str(path), f"not an audio clip: name a clip <event id> plus {wanted}")
    if path.stem not in ids:
        return Problem(
            str(path), f"no event has the id '{path.stem}': a clip is named after its event's id"
        )
    if path.stat().st_size == 0:
        return Problem(str(path), "the clip is empty: the file holds nothing")
    seconds, peak, error = clip_sound(path, limit)
    if error:
        return Problem(str(path), f"not a readable audio file ({error})")
    if seconds <= 0:
        return Problem(str(path), "the clip is empty: it holds no sound")
    if peak < SILENCE:
        return Problem(str(path), "the clip is silent (was the microphone on?)")
    if seconds > limit:
        return Problem(str(path), f"the clip lasts more than the {limit:g} s an event may")
    return seconds


def load_clips(
    folder: Path | None, event_ids: Iterable[str], *, limit: float = MAX_CLIP_SECONDS
) -> list[Clip]:
    """The clips of ``folder`` (none if it is None); a bad clip is refused with every problem
    listed (:class:`~histmap.MapError`), before anything is drawn."""
    if folder is None:
        return []
    clips, problems = find_clips(folder, event_ids, limit=limit)
    if problems:
        raise MapError(problems, "the narration")
    return clips


def clip_sound(path: Path, limit: float = MAX_CLIP_SECONDS) -> tuple[float, float, str]:
    """An audio file decoded whole by ffmpeg (at most ``limit`` seconds and a bit more):
    its length in seconds (exact, whatever the container says), its peak (1 is full
    scale), and ffmpeg's complaint if it is not audio (else ``""``)."""
    stat = path.stat()
    return _decoded(str(path), stat.st_mtime_ns, stat.st_size, limit + 1)


@functools.lru_cache(maxsize=256)
def _decoded(path: str, mtime_ns: int, size: int, cap: float) -> tuple[float, float, str]:
    # Keyed by the file's time and size: a clip recorded again is measured again. Decoding
    # stops past ``cap`` seconds, so a wrong, long file costs little.
    del mtime_ns, size
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", path]
    cmd += ["-map", "0:a:0", "-t", f"{cap:g}", "-ac", "1", "-ar", str(SAMPLE_RATE)]
    done = subprocess.run([*cmd, "-f", "s16le", "-"], capture_output=True)
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip()
        return 0.0, 0.0, err.splitlines()[-1] if err else f"ffmpeg exit status {done.returncode}"
    samples = np.frombuffer(done.stdout[: len(done.stdout) // 2 * 2], "<i2")
    peak = float(np.abs(samples.astype(np.int32)).max()) / 32768 if len(samples) else 0.0
    return len(samples) / SAMPLE_RATE, peak, ""
