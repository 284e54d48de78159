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
from collections.abc import Callable, Sequence
from pathlib import Path

from ._dates import day_within, from_day
from ._errors import OutputError
from .captions import Cue, caption_cues, chapter_cues, srt, timestamp, webvtt
from .encode import check_writable, write_text
from .i18n import N_, Language, language
from .model import Event, MapSpec
from .options import RenderOptions
from .outputs import make_folder_beside, output_lock, remove_stale, swap_folder
from .pagetracks import PageTrack, tracks_html
from .pipeline import Progress, refuse_map_folders, render_video, write_still
from .player import player_section, player_texts, write_player_files
from .render import FramePlan
from .scene import World
from .webfont import face_css

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


def _event_items(stills: list[tuple[Event, str, float]], tr: Language) -> str:
    """One card per key event: its still, title, date, a button to watch it, its source."""
    e, words = html.escape, tr.gettext
    items = []
    for number, (event, still, start) in enumerate(stills, start=1):
        when = tr.date(event.date)
        alt = words("Map on {date}, event {number}: {title}").format(
            date=when, number=number, title=event.title
        )
        watch = words("watch at {time}").format(time=timestamp(start)[3:8])
        source = words("Source: {source}").format(source=event.source)
        items.append(
            f'<li><img src="{e(still)}" alt="{e(alt)}" '
            f'width="640" height="360" loading="lazy">'
            f'<h3>{number}. {e(event.title)}</h3><p class="when">{e(when)} · '
            f'<button type="button" data-start="{start:.3f}">{e(watch)}</button></p>'
            f'<p>{e(event.caption)}</p><p class="sources">{e(source)}</p>'
            f"</li>"
        )
    return "".join(items)


def _language_links(spec: MapSpec, pages: dict[str, str]) -> str:
    """Links to the lesson's page in each of its languages, each named in its language."""
    if len(pages) < 2:
        return ""
    from babel import Locale

    e = html.escape
    links = " · ".join(
        f'<a href="{e(page)}" hreflang="{e(code)}" lang="{e(code)}"'
        + (' aria-current="page"' if code == spec.lang else "")
        + f">{e(Locale.parse(code, sep='-').get_display_name() or code)}</a>"
        for code, page in pages.items()
    )
    label = language(spec.lang).gettext("Languages")
    return f'<nav class="sub" aria-label="{e(label)}">{links}</nav>'


def span_text(tr: Language, start: dt.date, end: dt.date) -> str:
    """ "25 June 1950 to 27 July 1953", in ``tr``'s language."""
    return tr.gettext("{start} to {end}").format(start=tr.date(start), end=tr.date(end))


def _page(
    spec: MapSpec,
    files: dict[str, str],
    cues: list[Cue],
    chapters: list[Cue],
    stills: list[tuple[Event, str, float]],
    pages: dict[str, str],
    glyphs: str = "",
) -> str:
    """The lesson's page in the language of ``spec``; ``files`` as in the manifest,
    ``pages`` the page of each of the lesson's languages, ``glyphs`` as in
    :func:`html_document`."""
    e, tr = html.escape, language(spec.lang)
    w = {m: e(tr.gettext(m)) for m in _PAGE_WORDS}
    video, gif = e(files["video"]), e(files["gif"])
    sources = sorted({c.event.source for c in cues if c.event is not None})
    source_items = "\n".join(f"<li>{e(s)}</li>" for s in sources)
    cannot_play = w["Your browser cannot play this video: {download}, or use the {gif}."].format(
        download=f'<a href="{video}">{w["download it"]}</a>',
        gif=f'<a href="{gif}">{w["animated GIF"]}</a>',
    )
    return html_document(
        spec.title,
        PAGE_STYLE,
        f"""<header>
<h1>{e(spec.title)}</h1>
<p class="sub">{e(spec.subtitle or span_text(tr, spec.start, spec.end))}</p>
{_language_links(spec, pages)}
</header>
<main>
<section class="player" aria-label="{w["Animated map"]}">
<video id="video" controls preload="metadata" poster="{e(files["poster"])}" tabindex="0">
<source src="{video}" type="video/mp4">
<p>{cannot_play}</p>
</video>
<nav aria-label="{w["Chapters"]}"><h2>{w["Chapters"]}</h2><ol class="chapters">
{_chapter_items(chapters)}
</ol></nav>
</section>
<section aria-label="{w["Main events"]}"><h2>{w["Main events"]}</h2>
<ol class="events">
{_event_items(stills, tr)}
</ol></section>
<section aria-label="{w["Sources"]}" class="sources"><h2>{w["Sources"]}</h2><ul>
{source_items}
</ul>
<p>{e(spec.credits)}</p>
<p>{w["Files:"]} <a href="{video}">{w["video (MP4)"]}</a> ·
<a href="{gif}">{w["animated GIF"]}</a> ·
<a href="{e(files["captions"])}">{w["captions (WebVTT)"]}</a> ·
<a href="{e(files["captions_srt"])}">{w["captions (SRT)"]}</a> ·
<a href="lesson.json">{w["manifest"]}</a></p>
</section>
</main>
{tracks_html(page_tracks(cues, chapters, tr))}
<script>{PAGE_SCRIPT}</script>""",
        lang=spec.lang,
        glyphs=glyphs,
    )


def page_tracks(cues: list[Cue], chapters: list[Cue], tr: Language) -> list[PageTrack]:
    """The video's text tracks in ``tr``'s language, built into the page (they work from
    file:// too)."""
    return [
        PageTrack("captions", tr.gettext("Captions"), tr.code, cues, showing=True),
        PageTrack("chapters", tr.gettext("Chapters"), tr.code, chapters),
    ]


_PAGE_WORDS = (
    N_("Animated map"),
    N_("Captions"),
    N_("Chapters"),
    N_("Main events"),
    N_("Sources"),
    N_("Files:"),
    N_("video (MP4)"),
    N_("animated GIF"),
    N_("download it"),
    N_("captions (WebVTT)"),
    N_("captions (SRT)"),
    N_("manifest"),
    N_("Your browser cannot play this video: {download}, or use the {gif}."),
)
"""The page's words, translated as it is written."""


def html_document(title: str, style: str, body: str, lang: str = "en", glyphs: str = "") -> str:
    """A page that stands alone: its style inline, no request outside its folder. Its
    Hangul and Han characters, and those of ``glyphs`` (texts its scripts show), come
    with it in a face of their own (:func:`~histmap.webfont.face_css`)."""
    style += face_css(title + body + glyphs)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(lang)}">
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
    translations: Sequence[World] = (),
) -> Path:
    """Write the lesson folder ``out`` (created if its parent exists) and return it: the
    video and GIF drawn with ``options``, the poster and key stills at the video's size.

    ``translations``, the same map loaded in other languages, add to it a video, captions,
    chapters, stills and a page in each (``korean-war.fr.mp4``, ``captions.fr.vtt``,
    ``index.fr.html``, ...: the first language's files keep their usual names); each page
    links to the others.

    The folder is built beside ``out`` and swapped in whole at the end: interrupted or
    failed, an earlier lesson in ``out`` stays as it was. A folder ``out`` holding files
    that histmap did not write there is refused, naming them (nothing is deleted).
    """
    spec = world.data.spec
    if poster is not None:
        day_within(poster, spec.start, spec.end)  # before any work
    worlds = [world, *translations]
    pages = {
        w.data.spec.lang: "index.html" if n == 0 else f"index.{safe_name(w.data.spec.lang)}.html"
        for n, w in enumerate(worlds)
    }

    def fill(built: Path) -> None:
        manifest: dict = {}
        for n, each in enumerate(worlds):
            suffix = "" if n == 0 else f".{safe_name(each.data.spec.lang)}"
            one = _fill_lesson(
                each, built, options, poster=poster, progress=progress, suffix=suffix, pages=pages
            )
            manifest = one if n == 0 else _add_language(manifest, one, each.data.spec.lang)
        write_text(built / "lesson.json", json.dumps(manifest, indent=2, ensure_ascii=False))

    return write_folder(world, out, fill)


def _add_language(manifest: dict, other: dict, lang: str) -> dict:
    """The manifest of a lesson in several languages: the first's, each other's files among
    its files (``video.fr``), and each language's own manifest under ``languages``."""
    first = {**manifest, "files": dict(manifest["files"])}
    languages = manifest.setdefault("languages", {manifest["lang"]: first})
    languages[lang] = other
    for key, name in other["files"].items():
        manifest["files"][f"{key}.{lang}"] = name
    for n, event in enumerate(other["events"], start=1):
        if event["still"]:
            manifest["files"][f"still.{lang}.{n}"] = event["still"]
    return manifest


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
    suffix: str = "",
    pages: dict[str, str] | None = None,
) -> dict:
    """Write the files of a lesson in one language in the folder ``out``, their names
    ending in ``suffix`` (``.fr``); return its manifest."""
    spec = world.data.spec
    name = safe_name(spec.name, "map")
    pages = pages or {spec.lang: "index.html"}
    files = {
        "video": f"{name}{suffix}.mp4",
        "gif": f"{name}{suffix}.gif",
        "poster": f"poster{suffix}.png",
        "captions": f"captions{suffix}.vtt",
        "captions_srt": f"captions{suffix}.srt",
        "chapters": f"chapters{suffix}.vtt",
        "page": pages[spec.lang],
    }
    video, gif = out / files["video"], out / files["gif"]
    _, plan = render_video(world, [video, gif], options, name=name, progress=progress)
    cues, chapters = caption_cues(plan), chapter_cues(plan, spec.phases)
    write_text(out / files["captions"], webvtt(cues))
    write_text(out / files["captions_srt"], srt(cues))
    write_text(out / files["chapters"], webvtt(chapters))
    poster_day = day_within(poster or from_day(float(plan.days[0])), spec.start, spec.end)
    write_still(world, poster_day, out / files["poster"], options)
    stills = _key_stills(world, plan, out / "stills", options, suffix)
    glyphs = "" if suffix else player_texts(world)  # the player is on the first page
    page = _page(spec, files, cues, chapters, stills, pages, glyphs)
    player: list[str] = []
    if not suffix:  # one interactive map, on the first language's page
        player = write_player_files(world, out, plan)
        section = player_section(language(spec.lang))
        page = page.replace("</main>", f"{section}\n</main>", 1)
    write_text(out / files["page"], page)
    manifest = _manifest(spec, plan, files, cues, chapters, stills)
    manifest["files"] |= {name: name for name in player}
    return manifest


FOLDERS = frozenset({"stills", "player"})
"""The folders a lesson (or a player) writes, whose files its manifest lists."""
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
        ours = (path.is_file() and name in files) or (path.is_dir() and name in FOLDERS)
        if path.is_symlink() or not ours:
            foreign.append(path)
    return [p for p in foreign if not any(f in p.parents for f in foreign)]


def _key_stills(
    world: World, plan: FramePlan, folder: Path, options: RenderOptions, suffix: str = ""
) -> list[tuple[Event, str, float]]:
    """One atlas-page still per key event, at the video's size: ``stills/NN-<id>.png``
    (``NN-<id>.fr.png`` with the ``suffix`` ``.fr``)."""
    folder.mkdir(exist_ok=True)
    spec, story = world.data.spec, plan.story
    result = []
    keyed = [
        w
        for w in sorted(story.schedule.captions, key=lambda c: c.start)
        if story.events[w.event].key
    ]
    for number, w in enumerate(keyed, start=1):
        event = story.events[w.event]
        path = folder / f"{number:02d}-{safe_name(event.id, 'event')}{suffix}.png"
        write_still(world, day_within(event.date, spec.start, spec.end), path, options)
        result.append((event, f"stills/{path.name}", w.start))
    return result


def _manifest(
    spec: MapSpec,
    plan: FramePlan,
    files: dict[str, str],
    cues: list[Cue],
    chapters: list[Cue],
    stills: list[tuple[Event, str, float]],
) -> dict:
    still_of = {e: path for e, path, _ in stills}
    return {
        "title": spec.title,
        "lang": spec.lang,
        "subtitle": spec.subtitle,
        "span": [str(spec.start), str(spec.end)],
        "duration": plan.story.schedule.duration,
        "frames": len(plan.times),
        "fps": plan.fps,
        "size": list(plan.size),
        "files": dict(files),
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
