"""``histmap narrate``: the script a narrator reads, and draft clips spoken by an offline
speech engine to time the story before a person records it.

The script lists each event the video shows, in order: its id (the clip's file name),
title, date, caption and the time its caption has on screen. The draft voice is
espeak-ng's (the Debian package ``espeak-ng``, its voices inside the package): nothing is
downloaded. Its clips are for timing, to be replaced by a recording.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from ._errors import OptionError, OutputError
from .captions import Cue, caption_cues
from .encode import write_text
from .i18n import language
from .lesson import write_folder
from .options import RenderOptions
from .render import FramePlan, plan_frames
from .scene import World

MANIFEST = "narration.json"
SCRIPT = "script.md"
ENGINE = "espeak-ng"
INSTALL_ENGINE = (
    "--voice needs the offline speech engine espeak-ng, which is not installed: install it "
    "(Debian or Ubuntu: sudo apt-get install espeak-ng; Fedora: sudo dnf install espeak-ng; "
    "macOS: brew install espeak-ng; Windows: the espeak-ng installer), then run narrate again"
)


def write_narration(
    world: World,
    out: Path,
    options: RenderOptions,
    *,
    voice: bool = False,
    lang: str | None = None,
) -> Path:
    """Write the folder ``out``: ``script.md`` for the video ``options`` make, and with
    ``voice`` a draft clip ``<event id>.wav`` per event, spoken from its caption by
    espeak-ng in the language ``lang`` (default English). Written whole, like a lesson:
    a folder holding other files (say, recordings) is refused, never overwritten."""
    engine = speech_engine() if voice else None  # before any work
    plan = plan_frames(world, options)
    cues = caption_cues(plan)
    return write_folder(
        world,
        out,
        lambda built: _fill(world, built, plan, cues, engine, lang),
        manifest=MANIFEST,
        what="narration folder",
    )


def speech_engine() -> str:
    """The espeak-ng program, or an error saying how to install it."""
    exe = shutil.which(ENGINE)
    if exe is None:
        raise OptionError(INSTALL_ENGINE)
    return exe


def _fill(
    world: World, out: Path, plan: FramePlan, cues: list[Cue], engine: str | None, lang: str | None
) -> None:
    files = {"script": SCRIPT}
    write_text(out / SCRIPT, script_markdown(world, plan, cues))
    if engine is not None:
        for cue in cues:
            event = cue.event
            name = f"{event.id}.wav"
            speak(engine, f"{event.title}. {event.caption}", out / name, lang=lang)
            files[event.id] = name
    manifest = {"title": world.data.spec.title, "files": files}
    write_text(out / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))


def speak(engine: str, text: str, out: Path, *, lang: str | None = None) -> Path:
    """Synthesise ``text`` to the WAV file ``out`` with espeak-ng (the text goes through its
    standard input, so no text is read as an option)."""
    cmd = [engine, "-v", lang or "en", "-s", "160", "-w", str(out), "--stdin"]
    done = subprocess.run(cmd, input=text, capture_output=True, text=True, errors="replace")
    if done.returncode != 0 or not out.is_file() or out.stat().st_size <= 44:
        raise OutputError(f"espeak-ng could not speak the clip {out.name}: {done.stderr.strip()}")
    return out


def script_markdown(world: World, plan: FramePlan, cues: list[Cue]) -> str:
    """The narrator's script: each event the video shows, in order, with its clip's name
    and the time its caption is on screen."""
    spec = world.data.spec
    tr = language(spec.lang)  # the dates as the map's language writes them
    lines = [
        f"# Narration script: {spec.title}",
        "",
        "Read each event's text aloud and save it as `<id>.wav` (or `.mp3`, `.ogg`, `.m4a`,",
        "`.flac`) in one folder, then `histmap render --narration FOLDER`. Each clip plays",
        "when its event's caption appears, and the map waits until it has been said: the",
        "times below are those of the video before narration. A clip may take at most",
        "two minutes.",
        "",
        f"Video: {plan.story.schedule.duration:.1f} s, {len(cues)} events.",
    ]
    for number, cue in enumerate(cues, start=1):
        event = cue.event
        lines += [
            "",
            f"## {number}. {event.title}",
            "",
            f"- clip: `{event.id}.wav`",
            f"- date: {tr.date(event.date)}",
            f"- on screen: {_clock(cue.start)} to {_clock(cue.end)} "
            f"({cue.end - cue.start:.1f} s)",
            "",
            *(f"> {line}" for line in event.caption.splitlines() or [""]),
        ]
    return "\n".join(lines) + "\n"


def _clock(seconds: float) -> str:
    """``m:ss.s``.

    >>> _clock(75.25)
    '1:15.2'
    """
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"

