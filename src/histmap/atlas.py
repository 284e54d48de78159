"""Atlas pages: a dated series of offline web pages, one map per date with its main events.

Each page shows the still of its date (PNG, with SVG and PDF beside it), a title made of
the map's short title and the date ("Korea 1950.0915"), a heading, a subheading, an
intro, and the numbered main events whose numbers are on the map; previous and next
links join the pages, and ``index.html`` lays them on a timeline. The pages come from
``[[pages]]`` in ``map.toml`` or from dates given; a page lists the events it names, or
the key events since the previous page (:meth:`histmap.story.Story.since`).

Every text from the data is escaped; file names come from dates only. The folder is
built beside its target and swapped in whole, as a lesson's is (:mod:`histmap.outputs`).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._dates import to_date, to_day
from ._errors import OptionError
from .encode import write_text
from .i18n import Language, language
from .lesson import html_document, span_text, write_folder
from .model import Event, MapSpec, Page
from .options import RenderOptions
from .pipeline import write_stills
from .scene import World
from .story import STILL_MAX_EVENTS

MANIFEST = "atlas.json"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AtlasPage:
    """One page of an atlas: its date, texts, and main events (indices of the map's events,
    numbered from 1 in this order on the map and in the list)."""

    date: dt.date
    title: str
    heading: str
    subheading: str
    intro: str
    events: tuple[int, ...]

    @property
    def file(self) -> str:
        return f"{self.date.isoformat()}.html"

    @property
    def still(self) -> str:
        return f"stills/{self.date.isoformat()}"


def page_title(spec: MapSpec, date: dt.date) -> str:
    """The map's short title and the date as ``YYYY.MMDD``.

    >>> from types import SimpleNamespace
    >>> page_title(SimpleNamespace(short_title="Russia", title="x"), dt.date(1951, 1, 25))
    'Russia 1951.0125'
    """
    return f"{spec.short_title or spec.title} {date.year:04d}.{date.month:02d}{date.day:02d}"


def since_day(spec: MapSpec, since: dt.date) -> float:
    """The day after which a page's events are counted: ``since``, or, from the map's
    start, the day before it (events on the first day count)."""
    day = to_day(since)
    return day - 1 if since <= spec.start else day


def plan_pages(
    world: World, dates: list[dt.date | str] | None = None, limit: int = STILL_MAX_EVENTS
) -> list[AtlasPage]:
    """The pages of an atlas, in date order: one per date of ``dates`` (default: the map's
    ``[[pages]]``, else the end of each phase and the map's end); a date ``[[pages]]``
    describes takes its texts and events from there."""
    spec, story = world.data.spec, world.story
    described = {p.date: p for p in spec.pages}
    if dates is not None:
        days = sorted({_page_date(d, spec) for d in dates})
    elif spec.pages:
        days = sorted(described)
    else:
        days = sorted({min(p.end, spec.end) for p in spec.phases if p.end >= spec.start})
        days = sorted({*days, spec.end})
    if not days:
        raise OptionError("an atlas needs at least one date")
    pages, previous = [], spec.start
    for date in days:
        page = described.get(date, Page(date))
        if page.events is not None:
            chosen = story.indices(page.events)
        else:
            chosen = story.since(since_day(spec, previous), to_day(date), limit)
        pages.append(
            AtlasPage(
                date,
                page_title(spec, date),
                page.heading or spec.title,
                page.subheading or language(spec.lang).date(date),
                page.intro,
                tuple(chosen),
            )
        )
        previous = date
    return pages


def _page_date(value: dt.date | str, spec: MapSpec) -> dt.date:
    date = to_date(value, allow_time=False)
    if not spec.start <= date <= spec.end:
        raise OptionError(f"{date} is outside the map's span, {spec.start} to {spec.end}")
    return date


# -- the folder --------------------------------------------------------------------------------


def write_atlas(
    world: World,
    out: Path,
    options: RenderOptions,
    *,
    dates: list[dt.date | str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the atlas folder ``out`` (created if its parent exists) and return it: one page
    per date with its still at the options' size, ``index.html`` and ``atlas.json``.

    Built beside ``out`` and swapped in whole; a folder ``out`` holding files histmap did
    not write there is refused, naming them (nothing is deleted).
    """
    pages = plan_pages(world, dates)  # before any work: the dates are checked
    return write_folder(
        world,
        out,
        lambda built: _fill_atlas(world, built, options, pages, progress),
        manifest=MANIFEST,
        what="atlas",
    )


def _fill_atlas(
    world: World,
    out: Path,
    options: RenderOptions,
    pages: list[AtlasPage],
    progress: Progress | None,
) -> None:
    spec, events = world.data.spec, world.story.events
    (out / "stills").mkdir()
    size = options.frame_size()
    manifest: dict = {"title": spec.title, "size": list(size), "pages": [], "files": {}}
    for n, page in enumerate(pages):
        stills = [out / f"{page.still}.{ext}" for ext in ("png", "svg", "pdf")]
        report = write_stills(world, to_day(page.date), stills, options, events=list(page.events))
        previous = pages[n - 1] if n > 0 else None
        following = pages[n + 1] if n + 1 < len(pages) else None
        write_text(out / page.file, _page(spec, page, events, previous, following, size))
        manifest["pages"].append(_manifest_page(page, events, report.badges))
        for name in (page.file, *(p.relative_to(out).as_posix() for p in stills)):
            manifest["files"][name] = name
        if progress is not None:
            progress(n + 1, len(pages))
    write_text(out / "index.html", _index(spec, pages))
    manifest["files"]["index.html"] = "index.html"
    write_text(out / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))


def _manifest_page(page: AtlasPage, events: tuple[Event, ...], badges: list) -> dict:
    return {
        "date": page.date.isoformat(),
        "title": page.title,
        "file": page.file,
        "still": f"{page.still}.png",
        "events": [
            {"number": n, "id": events[i].id, "date": events[i].date.isoformat()}
            for n, i in enumerate(page.events, start=1)
        ],
        "badges": [
            {"number": number, "box": [round(v, 1) for v in box.extents]} for number, box in badges
        ],
    }


# -- the pages ---------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;
background:#fbfaf6;line-height:1.5}
header,main,footer{max-width:64rem;margin:auto;padding:.8rem 1.5rem}
h1{margin:.2rem 0;font-size:1.9rem}h2{margin:.6rem 0 .1rem}.sub{color:#5b6670;margin:0}
nav.pager{display:flex;justify-content:space-between;gap:1rem;padding:.4rem 0;
border-bottom:1px solid #e7e2d6}
nav.pager a,nav.pager span{min-width:8rem}nav.pager .up{text-align:center}
nav.pager [rel=next]{text-align:right}nav.pager span{color:#9aa3ab}
a{color:#2f5f99}a:focus,a:hover{outline:3px solid #2f6fb3;outline-offset:2px}
figure{margin:1rem 0}figure img{width:100%;height:auto;border:1px solid #e7e2d6}
figcaption{font-size:.9rem;color:#5b6670}
.intro{font-size:1.08rem}
ol.events{list-style:none;padding:0}ol.events li{margin:0 0 1rem}
ol.events h3{margin:0;font-size:1.1rem}
.num{display:inline-block;min-width:1.6em;height:1.6em;line-height:1.6em;border-radius:50%;
background:#444;color:#fff;text-align:center;margin-right:.4rem;font-size:.9rem}
.when{color:#5b6670;font-size:.9rem;margin:.1rem 0}.source{font-size:.88rem;color:#555}
.timeline{position:relative;height:3.2rem;margin:1.5rem .8rem;border-top:3px solid #8a8f96}
.timeline a{position:absolute;top:-.55rem;transform:translateX(-50%);font-size:.8rem;
white-space:nowrap;text-decoration:none}
.timeline a::before{content:"";display:block;width:.8rem;height:.8rem;margin:0 auto .2rem;
border-radius:50%;background:#2f5f99}
.timeline a:nth-child(even){top:1.4rem}
ol.pages li{margin:.3rem 0}
"""


def _doc(title: str, body: str, lang: str) -> str:
    return html_document(title, STYLE, body, lang=lang)


def _pager(previous: AtlasPage | None, following: AtlasPage | None, tr: Language) -> str:
    e, words = html.escape, tr.gettext
    first, last, pages, every = (
        e(words("first page")),
        e(words("last page")),
        e(words("Pages")),
        e(words("All pages")),
    )
    prev = (
        f'<a rel="prev" href="{e(previous.file)}">&larr; {e(previous.title)}</a>'
        if previous
        else f'<span aria-disabled="true">&larr; {first}</span>'
    )
    nxt = (
        f'<a rel="next" href="{e(following.file)}">{e(following.title)} &rarr;</a>'
        if following
        else f'<span aria-disabled="true">{last} &rarr;</span>'
    )
    return (
        f'<nav class="pager" aria-label="{pages}">{prev}'
        f'<a class="up" href="index.html">{every}</a>{nxt}</nav>'
    )


def _when(event: Event, tr: Language) -> str:
    if event.end_date > event.date:
        return span_text(tr, event.date, event.end_date)
    return tr.date(event.date)


def _event_items(page: AtlasPage, events: tuple[Event, ...], tr: Language) -> str:
    e = html.escape
    source = tr.gettext("Source: {source}")
    return "\n".join(
        f'<li id="event-{n}"><h3><span class="num">{n}</span>{e(ev.title)}</h3>'
        f'<p class="when">{e(_when(ev, tr))}</p><p>{e(ev.caption)}</p>'
        f'<p class="source">{e(source.format(source=ev.source))}</p></li>'
        for n, ev in ((n, events[i]) for n, i in enumerate(page.events, start=1))
    )


def _page(
    spec: MapSpec,
    page: AtlasPage,
    events: tuple[Event, ...],
    previous: AtlasPage | None,
    following: AtlasPage | None,
    size: tuple[int, int],
) -> str:
    e, tr = html.escape, language(spec.lang)
    words = tr.gettext
    pager = _pager(previous, following, tr)
    intro = f'<p class="intro">{e(page.intro)}</p>' if page.intro else ""
    items = _event_items(page, events, tr)
    none = e(words("No events listed on this page."))
    listed = f'<ol class="events">\n{items}\n</ol>' if items else f"<p>{none}</p>"
    when = tr.date(page.date)
    alt = words("Map: {title}, {date}, with the numbered main events").format(
        title=page.title, date=when
    )
    also = words("The map on {date}. Also as {svg} and {pdf}.").format(
        date=e(when),
        svg=f'<a href="{e(page.still)}.svg">SVG</a>',
        pdf=f'<a href="{e(page.still)}.pdf">PDF</a>',
    )
    body = f"""<header>
{pager}
<h1>{e(page.title)}</h1>
<h2>{e(page.heading)}</h2>
<p class="sub">{e(page.subheading)}</p>
</header>
<main>
<figure><img src="{e(page.still)}.png" alt="{e(alt)}" width="{size[0]}" height="{size[1]}">
<figcaption>{also}</figcaption>
</figure>
{intro}
<section aria-label="{e(words("Main events"))}"><h2>{e(words("Main events"))}</h2>
{listed}
</section>
</main>
<footer>
{pager}
<p class="source">{e(spec.credits)}</p>
</footer>"""
    return _doc(page.title, body, spec.lang)


def _index(spec: MapSpec, pages: list[AtlasPage]) -> str:
    e, tr = html.escape, language(spec.lang)
    words = tr.gettext
    span = span_text(tr, spec.start, spec.end)
    timeline, pages_heading = e(words("Timeline")), e(words("Pages"))
    first, last = to_day(spec.start), to_day(spec.end)
    marks = "".join(
        f'<a href="{e(p.file)}" style="left:{100 * (to_day(p.date) - first) / (last - first):.2f}%"'
        f">{e(p.title.rsplit(' ', 1)[-1])}</a>"
        for p in pages
    )

    def count(n: int) -> str:
        return tr.ngettext("{n} main event", "{n} main events", n).format(n=n)

    items = "\n".join(
        f'<li><a href="{e(p.file)}">{e(p.title)}</a>: {e(p.heading)}, {e(p.subheading)} '
        f"({e(count(len(p.events)))})</li>"
        for p in pages
    )
    body = f"""<header>
<h1>{e(spec.title)}</h1>
<p class="sub">{e(spec.subtitle or span)}</p>
</header>
<main>
<h2>{timeline}</h2>
<p class="sub">{e(span)}</p>
<nav class="timeline" aria-label="{timeline}">{marks}</nav>
<h2>{pages_heading}</h2>
<ol class="pages">
{items}
</ol>
</main>
<footer><p class="source">{e(spec.credits)}</p></footer>"""
    return _doc(spec.title, body, spec.lang)
