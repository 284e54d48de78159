"""Captions and chapters of a video as WebVTT and SubRip, timed by its frame plan.

Cue times come from the same schedule that drew the captions into the video, so
a cue is on screen exactly when its caption is in the picture. Used by a render
with captions and by lessons; it knows neither (it imports neither ``api`` nor
``lesson``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._dates import to_day
from .encode import write_text
from .model import Event, Phase

if TYPE_CHECKING:
    from .render import FramePlan


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    event: Event | None = None


def timestamp(seconds: float, *, srt: bool = False) -> str:
    """``HH:MM:SS.mmm`` (WebVTT) or ``HH:MM:SS,mmm`` (SubRip).

    >>> timestamp(3725.5), timestamp(0.25, srt=True)
    ('01:02:05.500', '00:00:00,250')
    """
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if srt else '.'}{ms:03d}"


def caption_cues(plan: FramePlan) -> list[Cue]:
    """One cue per caption, from when it appears to when it goes or the next one replaces it."""
    story = plan.story
    windows = sorted(story.schedule.captions, key=lambda c: c.start)
    cues = []
    for n, w in enumerate(windows):
        end = min(w.end, windows[n + 1].start) if n + 1 < len(windows) else w.end
        if end - w.start < 0.05:
            continue
        e = story.events[w.event]
        cues.append(Cue(w.start, end, f"{e.title}\n{e.caption}", e))
    return cues


def chapter_cues(plan: FramePlan, phases: list[Phase]) -> list[Cue]:
    """One chapter per phase of the story and per key event, in video order."""
    schedule = plan.story.schedule
    starts: list[tuple[float, str]] = []
    first, last = float(schedule.days[0]), float(schedule.days[-1])
    for phase in phases:
        day = max(to_day(phase.start), first)
        if day <= min(to_day(phase.end), last):
            starts.append((schedule.time_of(day), phase.name))
    for w in schedule.captions:
        e = plan.story.events[w.event]
        if e.key:
            starts.append((w.start, e.title))
    starts.sort(key=lambda s: s[0])
    cues = []
    for n, (start, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else schedule.duration
        if end > start:
            cues.append(Cue(start, end, title))
    return cues


def vtt_text(text: str) -> str:
    r"""A cue's text as WebVTT cue text: no blank line (it would end the cue), no ``-->``,
    ``&``, ``<`` and ``>`` escaped (in files and in a page's ``VTTCue`` alike).

    >>> vtt_text("A & B\n\n-->")
    'A &amp; B\n-&gt;'
    """
    text = "\n".join(line for line in text.replace("-->", "->").splitlines() if line)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: list[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for n, cue in enumerate(cues, start=1):
        text = vtt_text(cue.text)
        blocks.append(f"{n}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}\n")
    return "\n".join(blocks)


def srt(cues: list[Cue]) -> str:
    blocks = []
    for n, cue in enumerate(cues, start=1):
        text = "\n".join(line for line in cue.text.splitlines() if line)
        blocks.append(
            f"{n}\n{timestamp(cue.start, srt=True)} --> {timestamp(cue.end, srt=True)}\n{text}\n"
        )
    return "\n".join(blocks)


def write_captions(plan: FramePlan, path: Path) -> Path:
    """The captions of a rendered video as WebVTT, beside it."""
    return write_text(path, webvtt(caption_cues(plan)))
