"""Lesson export: the video with its captions and chapters, stills, an offline page, a manifest.

The video comes from the one render flow (:mod:`histmap.pipeline`), its captions
and chapters from :mod:`histmap.captions`. Every text from the data is escaped in
the page, and every file name written is derived from the data by
:func:`safe_name`, so nothing can escape the folder.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from ._dates import day_within, format_long, from_day
from ._errors import OutputError
from .captions import Cue, caption_cues, chapter_cues, srt, timestamp, webvtt
from .encode import check_writable, write_text
from .model import Event, MapSpec
from .options import RenderOptions
from .outputs import make_folder_beside, output_lock, remove_stale, swap_folder
from .pipeline import Progress, refuse_map_folders, render_video, write_still
from .render import FramePlan
from .scene import World

# -- file names ----------------------------------------------------------------------------------


def safe_name(text: str, fallback: str = "item") -> str:
    """A file-name part from data: lowercase letters, digits and hyphens only.

    >>> safe_name("../../etc/passwd"), safe_name("Inchon landing!"), safe_name("..")
    ('etc-passwd', 'inchon-landing', 'item')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    return slug or fallback


# -- the page ----------------------------------------------------------------------------------

PAGE_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;
background:#fbfaf6;line-height:1.45}
header,main{max-width:72rem;margin:auto;padding:1rem 1.5rem}
h1{margin:.2rem 0}.sub{color:#5b6670;margin:0}
.player{display:grid;grid-template-columns:minmax(0,3fr) minmax(12rem,1fr);gap:1rem}
video{width:100%;background:#000}
ol.chapters{list-style:none;padding:0;margin:0;max-height:32rem;overflow:auto}
ol.chapters button{width:100%;text-align:left;padding:.35rem .5rem;border:1px solid #ddd6c6;
background:#fff;margin:.15rem 0;cursor:pointer;font:inherit}
ol.chapters button:focus,ol.chapters button:hover{outline:3px solid #2f6fb3;outline-offset:-2px}
.events{list-style:none;padding:0;display:grid;
grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));gap:1rem}
.events li{background:#fff;border:1px solid #e7e2d6;padding:.6rem}
.events img{width:100%;height:auto}
.when{color:#5b6670;font-size:.9rem}.sources{font-size:.9rem;color:#444}
@media (max-width:50rem){.player{grid-template-columns:1fr}}
"""

PAGE_SCRIPT = """
(function(){
  var video=document.getElementById('video');
  document.querySelectorAll('button[data-start]').forEach(function(b){
    b.addEventListener('click',function(){
      video.currentTime=parseFloat(b.dataset.start);
      video.focus();
    });
  });
})();
"""


def _chapter_items(chapters: list[Cue]) -> str:
    e = html.escape
    return "\n".join(
        f'<li><button type="button" data-start="{c.start:.3f}">'
        f"{e(timestamp(c.start)[3:8])} {e(c.text)}</button></li>"
        for c in chapters
    )


def _event_items(stills: list[tuple[Event, str, float]]) -> str:
    """One card per key event: its still, title, date, a button to watch it, its source."""
    e = html.escape
    items = []
    for number, (event, still, start) in enumerate(stills, start=1):
        when = format_long(event.date)
        alt = f"Map on {when}, event {number}: {event.title}"
        items.append(
            f'<li><img src="{e(still)}" alt="{e(alt)}" '
            f'width="640" height="360" loading="lazy">'
            f'<h3>{number}. {e(event.title)}</h3><p class="when">{e(when)} · '
            f'<button type="button" data-start="{start:.3f}">watch at '
            f"{e(timestamp(start)[3:8])}</button></p>"
            f'<p>{e(event.caption)}</p><p class="sources">Source: {e(event.source)}</p>'
            f"</li>"
        )
    return "".join(items)


def _page(
    spec: MapSpec,
    video: str,
    gif: str,
    poster: str,
    cues: list[Cue],
    chapters: list[Cue],
    stills: list[tuple[Event, str, float]],
) -> str:
    e = html.escape
    chapter_items = _chapter_items(chapters)
    event_items = _event_items(stills)
    sources = sorted({c.event.source for c in cues if c.event is not None})
    source_items = "\n".join(f"<li>{e(s)}</li>" for s in sources)
    start, end = format_long(spec.start), format_long(spec.end)
    return html_document(
        spec.title,
        PAGE_STYLE,
        f"""<header>
<h1>{e(spec.title)}</h1>
<p class="sub">{e(spec.subtitle or f"{start} to {end}")}</p>
</header>
<main>
<section class="player" aria-label="Animated map">
<video id="video" controls preload="metadata" poster="{e(poster)}" tabindex="0">
<source src="{e(video)}" type="video/mp4">
<track kind="captions" src="captions.vtt" srclang="en" label="Captions" default>
<track kind="chapters" src="chapters.vtt" srclang="en" label="Chapters">
<p>Your browser cannot play this video: <a href="{e(video)}">download it</a>,
or use the <a href="{e(gif)}">animated GIF</a>.</p>
</video>
<nav aria-label="Chapters"><h2>Chapters</h2><ol class="chapters">
{chapter_items}
</ol></nav>
</section>
<section aria-label="Main events"><h2>Main events</h2>
<ol class="events">
{event_items}
</ol></section>
<section aria-label="Sources" class="sources"><h2>Sources</h2><ul>
{source_items}
</ul>
<p>{e(spec.credits)}</p>
<p>Files: <a href="{e(video)}">video (MP4)</a> · <a href="{e(gif)}">animated GIF</a> ·
<a href="captions.vtt">captions (WebVTT)</a> · <a href="captions.srt">captions (SRT)</a> ·
<a href="lesson.json">manifest</a></p>
</section>
</main>
<script>{PAGE_SCRIPT}</script>""",
    )


def html_document(title: str, style: str, body: str) -> str:
    """A page that stands alone: its style inline, no request outside its folder."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(title)}</title>
<style>{style}</style>
</head>
<body>
{body}
</body>
</html>
"""


# -- the folder --------------------------------------------------------------------------------


def write_lesson(
    world: World,
    out: Path,
    options: RenderOptions,
    *,
    poster: dt.date | str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the lesson folder ``out`` (created if its parent exists) and return it: the
    video and GIF drawn with ``options``, the poster and key stills at the video's size.

    The folder is built beside ``out`` and swapped in whole at the end: interrupted or
    failed, an earlier lesson in ``out`` stays as it was. A folder ``out`` holding files
    that histmap did not write there is refused, naming them (nothing is deleted).
    """
    spec = world.data.spec
    if poster is not None:
        day_within(poster, spec.start, spec.end)  # before any work
    return write_folder(
        world,
        out,
        lambda built: _fill_lesson(world, built, options, poster=poster, progress=progress),
    )


def write_folder(
    world: World,
    out: Path,
    fill: Callable[[Path], None],
    *,
    manifest: str = "lesson.json",
    what: str = "lesson",
) -> Path:
    """Write the folder ``out`` whole: ``fill`` writes it beside, under a lock, and it is
    swapped in at the end; an earlier one (listed by its ``manifest``) is replaced, a
    folder holding anything else is refused, and an interruption leaves ``out`` as it was."""
    if not out.parent.is_dir():
        raise OutputError(f"the folder '{out.parent}' does not exist: create it first")
    if Path.cwd().resolve().is_relative_to(out.resolve()):
        raise OutputError(f"'{out}' holds the folder histmap runs in: name a new {what} folder")
    check_writable(out.parent)
    refuse_map_folders(world, out)
    refuse_foreign_files(out, manifest=manifest, what=what)
    with output_lock(out.with_name(f".{out.name}.lock"), f"the {what} '{out}'"):
        remove_stale(out)
        built = make_folder_beside(out)
        try:
            fill(built)
            # Again: files may have come while it was drawn.
            refuse_foreign_files(out, manifest=manifest, what=what)
            swap_folder(built, out)
        finally:
            shutil.rmtree(built, ignore_errors=True)
    return out


def _fill_lesson(
    world: World,
    out: Path,
    options: RenderOptions,
    *,
    poster: dt.date | str | None,
    progress: Progress | None,
) -> None:
    """Write every file of a lesson in the (new, empty) folder ``out``."""
    spec = world.data.spec
    name = safe_name(spec.name, "map")
    video, gif = out / f"{name}.mp4", out / f"{name}.gif"
    _, plan = render_video(world, [video, gif], options, name=name, progress=progress)
    cues, chapters = caption_cues(plan), chapter_cues(plan, spec.phases)
    write_text(out / "captions.vtt", webvtt(cues))
    write_text(out / "captions.srt", srt(cues))
    write_text(out / "chapters.vtt", webvtt(chapters))
    poster_day = day_within(poster or from_day(float(plan.days[0])), spec.start, spec.end)
    write_still(world, poster_day, out / "poster.png", options)
    stills = _key_stills(world, plan, out / "stills", options)
    page = _page(spec, video.name, gif.name, "poster.png", cues, chapters, stills)
    write_text(out / "index.html", page)
    write_text(
        out / "lesson.json",
        json.dumps(
            _manifest(spec, plan, video, gif, cues, chapters, stills), indent=2, ensure_ascii=False
        ),
    )


SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files the system leaves in a folder that was browsed: replaced with the lesson."""


def refuse_foreign_files(out: Path, *, manifest: str = "lesson.json", what: str = "lesson") -> None:
    """Refuse to replace ``out`` if it holds anything but an earlier lesson (or atlas,
    ``what``): the files its ``manifest`` lists (and system files such as ``.DS_Store``).
    ``out`` may be new."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"'{out}' is not a folder: a {what} is written to a folder")
    if not out.exists():
        return
    foreign = [p for p in _foreign_files(out, manifest) if p.name not in SYSTEM_FILES]
    if foreign:
        names = ", ".join(str(p.relative_to(out)) for p in foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise OutputError(
            f"'{out}' holds files that are not an earlier histmap {what} ({names}{more}): "
            f"a {what} replaces its whole folder, so move them away or write the {what} "
            "to a new folder"
        )


def _foreign_files(out: Path, manifest_name: str = "lesson.json") -> list[Path]:
    """What in the folder ``out`` an earlier lesson did not write (its ``lesson.json`` says)."""
    try:
        manifest = json.loads((out / manifest_name).read_text(encoding="utf-8"))
        files = {str(f) for f in manifest["files"].values()} | {manifest_name}
        files |= {str(e["still"]) for e in manifest.get("events", ()) if e.get("still")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        files = set()  # no lesson here, or not one histmap wrote
    foreign = []
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        ours = (path.is_file() and name in files) or (path.is_dir() and name == "stills")
        if path.is_symlink() or not ours:
            foreign.append(path)
    return [p for p in foreign if not any(f in p.parents for f in foreign)]


def _key_stills(
    world: World, plan: FramePlan, folder: Path, options: RenderOptions
) -> list[tuple[Event, str, float]]:
    """One atlas-page still per key event, at the video's size: ``stills/NN-<id>.png``."""
    folder.mkdir()
    spec, story = world.data.spec, plan.story
    result = []
    keyed = [
        w
        for w in sorted(story.schedule.captions, key=lambda c: c.start)
        if story.events[w.event].key
    ]
    for number, w in enumerate(keyed, start=1):
        event = story.events[w.event]
        path = folder / f"{number:02d}-{safe_name(event.id, 'event')}.png"
        write_still(world, day_within(event.date, spec.start, spec.end), path, options)
        result.append((event, f"stills/{path.name}", w.start))
    return result


def _manifest(
    spec: MapSpec,
    plan: FramePlan,
    video: Path,
    gif: Path,
    cues: list[Cue],
    chapters: list[Cue],
    stills: list[tuple[Event, str, float]],
) -> dict:
    still_of = {e: path for e, path, _ in stills}
    return {
        "title": spec.title,
        "subtitle": spec.subtitle,
        "span": [str(spec.start), str(spec.end)],
        "duration": plan.story.schedule.duration,
        "frames": len(plan.times),
        "fps": plan.fps,
        "size": list(plan.size),
        "files": {
            "video": video.name,
            "gif": gif.name,
            "poster": "poster.png",
            "captions": "captions.vtt",
            "captions_srt": "captions.srt",
            "chapters": "chapters.vtt",
            "page": "index.html",
        },
        "chapters": [
            {"title": c.text, "start": round(c.start, 3), "end": round(c.end, 3)} for c in chapters
        ],
        "events": [
            {
                "id": c.event.id,
                "date": str(c.event.date),
                "title": c.event.title,
                "caption": c.event.caption,
                "source": c.event.source,
                "start": round(c.start, 3),
                "end": round(c.end, 3),
                "still": still_of.get(c.event),
            }
            for c in cues
        ],
    }
