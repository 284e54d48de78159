"""The interactive player: a map in the browser that morphs the territories at any instant.

The browser computes the territories as the engine does (:mod:`histmap.interpolate`):
each keyframe's signed distance fields, resampled from the engine's grid onto a Web
Mercator grid (Leaflet's), are shipped quantised to 16 bits, delta-coded along rows,
written as variable-length bytes with runs of zeros counted (most cells are far from
any front and carry no value), and deflated in a ``.js`` data file (so the page loads
from ``file://`` too); a field the same as in the keyframe before is not shipped again.
At an instant the script blends the two keyframes' fields with the engine's fraction
(cuts and easing included), and each land cell goes to the side with the least value.

Everything the page needs is in its ``player/`` folder: Leaflet (vendored, with its
licence), the script, the style and the data. No request leaves the folder.
"""

from __future__ import annotations

import base64
import html
import json
import zlib
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry.base import BaseGeometry

from ._dates import to_day
from .encode import write_text
from .i18n import N_, Language, language
from .interpolate import GAIN_MIN_SHARE
from .options import RenderOptions
from .render import FramePlan, plan_frames
from .scene import View, World
from .style import Theme

EARTH = 6378137.0
"""Web Mercator's sphere (EPSG:3857), as Leaflet projects."""
FOLDER = "player"
STATIC = ("leaflet.js", "leaflet.css", "LICENSE-leaflet.txt", "player.js", "player.css")
DATA = "data.js"
STEPS_PER_CELL = 16
"""Quantisation of the fields: 1/16 of a grid cell (the front is resolved to a cell)."""
NEAR_LAND_CELLS = 3
"""Fields are kept this many cells round the land (bilinear sampling needs neighbours)."""
CAMERA_STRIDE = 4
"""Of the frames where the video's camera moves, the player keeps every this many (it
interpolates between them)."""


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator metres (EPSG:3857).

    >>> [round(float(v)) for v in mercator(np.array([0.0]), np.array([0.0]))[0]]
    [0]
    """
    lat = np.clip(lat, -85.05, 85.05)
    return EARTH * np.radians(lon), EARTH * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def inverse_mercator(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.degrees(x / EARTH), np.degrees(2 * np.arctan(np.exp(y / EARTH)) - np.pi / 2)


class MercatorGrid:
    """Cell centres on Web Mercator over the land, about as fine on the ground as the
    engine's grid; row 0 is the northernmost (as an image's)."""

    def __init__(self, world: World):
        morph = world.morph
        self.engine = morph.grid
        w, s, e, n = world.land_lonlat.bounds
        (x0, x1), (y0, y1) = mercator(np.array([w, e]), np.array([s, n]))
        # Mercator stretches by 1/cos(lat): keep the engine's ground resolution mid-map.
        self.cell = self.engine.cell / np.cos(np.radians((s + n) / 2))
        pad = 2 * self.cell
        self.x = np.arange(x0 - pad, x1 + pad + self.cell, self.cell)
        self.y = np.arange(y1 + pad, y0 - pad - self.cell, -self.cell)
        xx, yy = np.meshgrid(self.x, self.y)
        self.lon, self.lat = inverse_mercator(xx, yy)
        self.land = shapely.contains_xy(world.land_lonlat, self.lon, self.lat)
        px, py = world.projector.points(self.lon, self.lat)
        # Fractional indices of each cell centre in the engine's grid (rows are y).
        self._at = np.stack(
            [(py - self.engine.y[0]) / self.engine.cell, (px - self.engine.x[0]) / self.engine.cell]
        )
        self.near = ndimage.binary_dilation(self.land, iterations=NEAR_LAND_CELLS)

    def sample(self, field: np.ndarray) -> np.ndarray:
        """An engine field at this grid's cells (bilinear)."""
        return ndimage.map_coordinates(field, self._at, order=1, mode="nearest")

    def bounds(self) -> list[list[float]]:
        """The image's corners [[south, west], [north, east]] in degrees (cell edges)."""
        half = self.cell / 2
        lon, lat = inverse_mercator(
            np.array([self.x[0] - half, self.x[-1] + half]),
            np.array([self.y[-1] - half, self.y[0] + half]),
        )
        return [[float(lat[0]), float(lon[0])], [float(lat[1]), float(lon[1])]]


def quantise(fields: np.ndarray, near: np.ndarray, step: float) -> np.ndarray:
    """Fields in whole steps of ``step`` metres, zero away from the land."""
    return np.where(near, np.round(fields / step), 0).clip(-32767, 32767).astype(np.int32)


def encode_keyframes(keyframes: list[np.ndarray]) -> list[tuple[str, list[list]]]:
    """Each keyframe's quantised fields (:func:`quantise`) as base64 of deflated
    :func:`zero_runs` of row-delta-coded int16, one field after another, and where each
    field is: ``[keyframe, start, end, plus]``, the keyframe whose bytes hold it (a field
    the same as the keyframe before's is not stored again: most sides' fields do not change
    from one snapshot to the next), its byte range in them once inflated, and whether it is
    stored plus the first field (two sides sharing the land have opposite fields: their sum
    is nearly zero and packs tightly)."""
    result: list[tuple[str, list[list]]] = []
    before, where = None, []
    for n, q in enumerate(keyframes):
        at, chunks, offset = [], [], 0
        for k in range(len(q)):
            # (A sum is undone with this keyframe's first field: it must be the same.)
            if (
                before is not None
                and np.array_equal(q[k], before[k])
                and (not where[k][3] or np.array_equal(q[0], before[0]))
            ):
                at.append(where[k])
                continue
            data, plus = _field_bytes(q, k)
            at.append([n, offset, offset + len(data), plus])
            chunks.append(data)
            offset += len(data)
        blob = base64.b64encode(zlib.compress(b"".join(chunks), 9)).decode("ascii")
        result.append((blob, at))
        before, where = q, at
    return result


def _field_bytes(q: np.ndarray, k: int) -> tuple[bytes, bool]:
    """Field ``k`` of a keyframe's quantised fields ``q``, coded; whether plus the first."""
    values, plus = q[k], False
    if k > 0:
        summed = q[k] + q[0]
        if np.abs(summed).sum() < np.abs(np.diff(q[k], axis=1)).sum():
            values, plus = summed, True
    values = values.clip(-32767, 32767).astype(np.int16)
    return zero_runs(np.diff(values, axis=1, prepend=0).astype(np.int16).ravel()), plus


def zero_runs(values: np.ndarray) -> bytes:
    """int16 ``values`` as unsigned LEB128 varints: a value ``v`` as its zigzag code
    (``2v`` or ``-2v - 1``, never 0 for ``v != 0``), a run of ``n`` zeros as 0 then ``n``.

    The browser inflates a tenth of the bytes it would for the raw int16 (seven in eight
    cells are zero), and decodes them in one pass: a far jump of the player decodes two
    keyframes before it draws.

    >>> list(zero_runs(np.array([0, 0, 0, 5, -1, 0, 200], np.int16)))
    [0, 3, 10, 1, 0, 1, 144, 3]
    """
    v = values.astype(np.int64)
    nonzero = np.flatnonzero(v)
    ends = np.concatenate([[0], nonzero + 1])  # where each run of zeros starts
    gaps = np.append(nonzero, len(v)) - ends
    # Three slots a value: the run's marker and length (if any), then the value's code.
    slots = np.zeros((len(nonzero) + 1, 3), np.int64)
    slots[:, 1] = gaps
    slots[:-1, 2] = (v[nonzero] << 1) ^ (v[nonzero] >> 63)
    keep = np.ones(slots.shape, bool)
    keep[:, :2] = (gaps > 0)[:, None]
    keep[-1, 2] = False
    codes = slots[keep]
    # Seven bits a byte, the high bit set on every byte but a code's last.
    shifts = 7 * np.arange(4)
    chunks = (codes[:, None] >> shifts) & 127
    more = (codes[:, None] >> (shifts + 7)) > 0
    used = np.concatenate([np.ones((len(codes), 1), bool), more[:, :-1]], axis=1)
    return ((chunks | (more << 7)).astype(np.uint8))[used].tobytes()


def player_plan(world: World) -> FramePlan:
    """The frames of the video the player follows when it stands alone: the whole span,
    the camera following the action, at the default size."""
    return plan_frames(world, RenderOptions(camera="follow"))


def span_of(plan: FramePlan) -> tuple[int, int]:
    """The first and last whole days of a video's story (its last frame falls short of
    the last day by a frame's time)."""
    days = plan.story.schedule.days
    return int(np.floor(days[0])), int(np.ceil(days[-1]))


def keyframes_within(days: list[float], first: float, last: float) -> range:
    """The keyframes the player needs for ``first`` to ``last``: those within and the one
    either side (the morph between them).

    >>> keyframes_within([0, 10, 20, 30], 12, 18)
    range(1, 3)
    """
    days_ = np.asarray(days)
    lo = max(int(np.searchsorted(days_, first, side="right")) - 1, 0)
    hi = min(int(np.searchsorted(days_, last, side="left")), len(days) - 1)
    return range(lo, hi + 1)


def player_data(world: World, plan: FramePlan | None = None) -> dict:
    """Everything the player script reads: grid, keyframes, sides, story, base map, camera,
    over the span of ``plan`` (the video's frames; default :func:`player_plan`)."""
    spec, morph = world.data.spec, world.morph
    plan = plan or player_plan(world)
    first, last = span_of(plan)
    grid = MercatorGrid(world)
    step = grid.engine.cell / STEPS_PER_CELL
    theme = Theme.from_table(spec.theme)
    land = np.packbits(grid.land.astype(np.uint8), axis=None)
    tr = language(spec.lang)
    return {
        "title": spec.title,
        "subtitle": spec.subtitle or "",
        # the browser writes the dates (Intl), as histmap does: en-GB "15 September 1950"
        "lang": tr.locale.replace("_", "-"),
        "words": player_words(tr),
        "extent": [[spec.extent[1], spec.extent[0]], [spec.extent[3], spec.extent[2]]],
        "start": first,
        "end": last,
        "easing": spec.easing,
        "grid": {
            "nx": len(grid.x),
            "ny": len(grid.y),
            "x0": float(grid.x[0]),
            "y0": float(grid.y[0]),
            "cell": float(grid.cell),
            "step": float(step),
            "bounds": grid.bounds(),
            "land": base64.b64encode(zlib.compress(land.tobytes(), 9)).decode("ascii"),
        },
        "sides": [{"id": s.id, "name": s.name, "colour": s.colour} for s in spec.sides],
        "fieldSides": list(morph.sides),
        "fronts": [
            [a.id, b.id]
            for n, a in enumerate(spec.sides)
            for b in spec.sides[n + 1 :]
            if spec.is_front(a.id, b.id)
        ],
        # The gains of the first days are measured from before the span.
        "keyframes": _keyframes(world, grid, first - max(theme.gain_days, 0), last),
        "phases": [
            {"name": p.name, "start": max(to_day(p.start), first), "end": min(to_day(p.end), last)}
            for p in spec.phases
            if to_day(p.start) <= last and to_day(p.end) >= first
        ],
        "events": [e for e in _events(world) if e["start"] <= last and e["end"] >= first],
        "camera": camera_knots(world, plan),
        # The video's recent gains: the browser finds them from the same fields.
        "gains": _gains(theme),
        "theme": {k: getattr(theme, k) for k in ("sea", "land", "coast", "front", "river")}
        | {"alpha": theme.territory_alpha},
        "base": _base(world),
        "places": [
            {"name": p.name, "rank": p.rank, "lon": p.geometry.x, "lat": p.geometry.y}
            for p in world.data.places
            if p.geometry.geom_type == "Point" and p.kind == "city" and p.rank <= 3
        ],
        "credits": spec.credits,
    }


def _gains(theme: Theme) -> dict | None:
    """How the video tints recent gains (none if its theme shows none)."""
    if theme.gain_days <= 0:
        return None
    return {"days": theme.gain_days, "tint": theme.gain_tint, "min": GAIN_MIN_SHARE}


def _keyframes(world: World, grid: MercatorGrid, first: float, last: float) -> list[dict]:
    """The keyframes from ``first`` to ``last``, their fields encoded."""
    morph = world.morph
    step = grid.engine.cell / STEPS_PER_CELL
    chosen = keyframes_within([k.day for k in morph.keyframes], first, last)
    fields = [
        quantise(np.stack([grid.sample(f) for f in morph.field(i)]), grid.near, step)
        for i in chosen
    ]
    return [
        {"day": key.day, "cut": key.transition == "cut", "fields": blob, "at": at}
        for key, (blob, at) in zip(
            (morph.keyframes[i] for i in chosen), encode_keyframes(fields), strict=True
        )
    ]


def camera_knots(world: World, plan: FramePlan) -> list[list[float]]:
    """The video's camera as ``[day, x, y, w, h]`` knots (the view's centre and size on
    Web Mercator, metres), between which the player interpolates by day: the ends of each
    hold, and every :data:`CAMERA_STRIDE`-th frame of a move (of a move while the date
    holds, its ends only). Empty: the whole map."""
    if not plan.views:
        return []
    boxes = mercator_boxes(world, plan.views)
    same = np.all(boxes[1:] == boxes[:-1], axis=1)
    # A frame is kept where the view starts or stops changing, and along moves.
    moving = np.concatenate([[False], ~same]) | np.concatenate([~same, [False]])
    keep = np.zeros(len(boxes), bool)
    keep[[0, -1]] = True
    keep |= moving & (np.arange(len(boxes)) % CAMERA_STRIDE == 0)
    keep[1:] |= np.diff(moving.astype(int)) != 0
    keep[:-1] |= np.diff(moving.astype(int)) != 0
    days = np.round(plan.days, 2)
    # Where the date holds while the camera moves, the player flies from the first view to
    # the last (holding its date too): the views between are not needed.
    held = np.flatnonzero(keep)
    same = days[held][1:] == days[held][:-1]
    keep[held[1:-1][same[:-1] & same[1:]]] = False
    b = boxes[keep]
    knots = np.column_stack(
        [
            days[keep],
            np.round((b[:, 0] + b[:, 2]) / 2, -1),
            np.round((b[:, 1] + b[:, 3]) / 2, -1),
            np.round(b[:, 2] - b[:, 0], -1),
            np.round(b[:, 3] - b[:, 1], -1),
        ]
    )
    return knots.tolist()


def mercator_boxes(world: World, views: tuple[View, ...]) -> np.ndarray:
    """The box on Web Mercator (x0, y0, x1, y1) holding each view of the engine's
    projection: its corners and the middles of its sides, as the player frames it."""
    v = np.array([(w.x0, w.y0, w.x1, w.y1) for w in views])
    xm, ym = (v[:, 0] + v[:, 2]) / 2, (v[:, 1] + v[:, 3]) / 2
    xs = np.stack([v[:, 0], xm, v[:, 2], v[:, 2], v[:, 2], xm, v[:, 0], v[:, 0]], axis=1)
    ys = np.stack([v[:, 1], v[:, 1], v[:, 1], ym, v[:, 3], v[:, 3], v[:, 3], ym], axis=1)
    lon, lat = world.projector.inverse_points(xs.ravel(), ys.ravel())
    mx, my = (a.reshape(xs.shape) for a in mercator(np.asarray(lon), np.asarray(lat)))
    return np.stack([mx.min(1), my.min(1), mx.max(1), my.max(1)], axis=1)


def _events(world: World) -> list[dict]:
    """The events as the story shows them: dates, the smoothed path in degrees."""
    story, inverse = world.story, world.projector.inverse_points
    result = []
    for event, xy in zip(story.events, story.paths, strict=True):
        lon, lat = inverse(xy[:, 0], xy[:, 1])
        result.append(
            {
                "id": event.id,
                "date": str(event.date),
                "start": to_day(event.date),
                "end": to_day(event.end_date),
                "title": event.title,
                "caption": event.caption,
                "kind": event.kind,
                "side": event.side,
                "key": event.key,
                "source": event.source,
                "path": np.round(np.column_stack([lat, lon]), 4).tolist(),
            }
        )
    return result


def _base(world: World) -> dict:
    """The base map in degrees, simplified to about a tenth of a cell."""
    base = world.basemap_lonlat
    tolerance = 0.002

    def coords(geom: BaseGeometry) -> list:
        # Simplified, then to a thousandth of a degree (under the tolerance): short numbers.
        geom = shapely.transform(shapely.simplify(geom, tolerance), lambda c: np.round(c, 3))
        return shapely.geometry.mapping(geom) if not geom.is_empty else None

    w, s, e, n = world.data.spec.extent
    box = shapely.box(w - 5, s - 5, e + 5, n + 5)
    return {
        "land": coords(base.land),
        # Over the territories, as the video's masks: the sea, and the land no side shares.
        "sea": coords(shapely.difference(box, base.land)),
        "others": coords(shapely.difference(base.land, world.land_lonlat)),
        "korea": coords(world.land_lonlat.boundary),
        "borders": coords(base.borders),
        "rivers": coords(base.rivers),
    }


def write_player_files(world: World, folder: Path, plan: FramePlan | None = None) -> list[str]:
    """Write the player's files into ``folder/player/`` for the video of ``plan`` (its span
    and camera; default :func:`player_plan`); return their paths relative to ``folder``."""
    target = folder / FOLDER
    target.mkdir(exist_ok=True)
    templates = resources.files("histmap") / "templates" / "player"
    for name in STATIC:
        (target / name).write_bytes((templates / name).read_bytes())
    data = json.dumps(player_data(world, plan), ensure_ascii=True, separators=(",", ":"))
    write_text(target / DATA, f"window.HISTMAP_PLAYER_DATA={data};\n")
    return [f"{FOLDER}/{name}" for name in (*STATIC, DATA)]


def player_head() -> str:
    """The ``<link>`` of the player's style, for a page's head or body."""
    return f'<link rel="stylesheet" href="{FOLDER}/leaflet.css">' + (
        f'<link rel="stylesheet" href="{FOLDER}/player.css">'
    )


_WORDS = (
    N_("Interactive map"),
    N_(
        "Drag the slider or use its arrow keys to move day by day; Space plays and pauses; "
        "Page Up and Page Down step from event to event; on the map, drag or use the arrow "
        "keys to pan, the wheel, + and − to zoom."
    ),
    N_("Map of the territories on the chosen date"),
    N_("Play"),
    N_("Pause"),
    N_("Previous event (Page Up)"),
    N_("Next event (Page Down)"),
    N_("Previous day"),
    N_("Next day"),
    N_("Event"),
    N_("Day"),
    N_("Date"),
    N_("Speed"),
    N_("Follow the camera"),
    N_("1 week/s"),
    N_("1 month/s"),
    N_("3 months/s"),
    N_("Events"),
    N_("Events on the interactive map"),
    N_("On this date: {shares} of the land."),
    N_("{side} holds about {percent}%"),
    N_("Taken in the last {days} days"),
)
"""The player's words, translated as its page is written (the script's among them)."""


def player_words(tr: Language) -> dict[str, str]:
    """The player's words in ``tr``'s language, by their English."""
    return {message: tr.gettext(message) for message in _WORDS}


def player_section(tr: Language | None = None) -> str:
    """The player's markup and scripts, its words in ``tr``'s language (default English);
    the script fills it in from the data file."""
    w = {k: html.escape(v) for k, v in player_words(tr or language()).items()}
    return f"""{player_head()}
<section class="histmap-player" id="histmap-player" aria-label="{w[_WORDS[0]]}">
<h2>{w[_WORDS[0]]}</h2>
<p class="hp-help" id="hp-help">{w[_WORDS[1]]}</p>
<div class="hp-body">
<div class="hp-map" id="hp-map" tabindex="0" role="application"
 aria-label="{w[_WORDS[2]]}" aria-describedby="hp-help"></div>
<aside class="hp-side" aria-live="polite">
<p class="hp-date" id="hp-date"></p><p class="hp-phase" id="hp-phase"></p>
<h3 id="hp-title"></h3><p id="hp-caption"></p>
<p class="hp-alt" id="hp-alt"></p>
<ul class="hp-legend" id="hp-legend"></ul>
</aside>
</div>
<div class="hp-controls">
<button type="button" id="hp-play" aria-pressed="false">{w["Play"]}</button>
<button type="button" id="hp-prev-event"
 title="{w["Previous event (Page Up)"]}">« {w["Event"]}</button>
<button type="button" id="hp-prev-day" title="{w["Previous day"]}">◀ {w["Day"]}</button>
<div class="hp-track"><input type="range" id="hp-slider" aria-label="{w["Date"]}" step="1">
<div class="hp-phases" id="hp-phases" aria-hidden="true"></div></div>
<button type="button" id="hp-next-day" title="{w["Next day"]}">{w["Day"]} ▶</button>
<button type="button" id="hp-next-event"
 title="{w["Next event (Page Down)"]}">{w["Event"]} »</button>
<button type="button" id="hp-follow" aria-pressed="true">{w["Follow the camera"]}</button>
<label>{w["Speed"]} <select id="hp-speed"><option value="7">{w["1 week/s"]}</option>
<option value="30" selected>{w["1 month/s"]}</option><option value="90">{w["3 months/s"]}</option>
</select></label>
</div>
<nav aria-label="{w["Events on the interactive map"]}"><h3>{w["Events"]}</h3>
<ol class="hp-events" id="hp-events"></ol></nav>
</section>
<script src="{FOLDER}/leaflet.js"></script>
<script src="{FOLDER}/{DATA}"></script>
<script src="{FOLDER}/player.js"></script>"""


def player_texts(world: World) -> str:
    """Every text the player may show (titles, captions, names, its words), for the page
    to carry the characters they need (:mod:`histmap.webfont`)."""
    spec, tr = world.data.spec, language(world.data.spec.lang)
    return "\n".join(
        [
            spec.title,
            spec.subtitle or "",
            spec.credits,
            *player_words(tr).values(),
            tr.date(spec.end),  # the browser writes dates the same way (Intl)
            *(s.name for s in spec.sides),
            *(p.name for p in spec.phases),
            *(f"{e.title}\n{e.caption}" for e in world.story.events),
            *(p.name for p in world.data.places),
        ]
    )
