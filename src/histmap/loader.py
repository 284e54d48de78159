"""Read and validate a map folder into a :class:`~histmap.model.MapData`.

Every problem found is collected and reported together (file, feature, field,
what to do), so a map maker fixes a folder in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import tomllib
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ._dates import to_date
from ._errors import MapError, OptionError, Problem
from .i18n import check_code
from .model import (
    CameraEntry,
    Event,
    MapData,
    MapSpec,
    MapTexts,
    Page,
    Phase,
    Place,
    ReferenceLine,
    Side,
    Snapshot,
    Text,
)
from .schema import CAMERA_WORDS, camera_problem, validate_map_toml
from .thin import thin, tolerance

DEFAULT_MAP = "korean_war"
MAX_GEOJSON_BYTES = 50_000_000
MAX_TOML_BYTES = 1024 * 1024
UNHELD_TOLERANCE = 0.001
"""The share of the land a snapshot may leave to no side when ``allow_unheld`` is false."""
TRANSITIONS = ("morph", "cut")
EVENT_KINDS = (
    "battle",
    "offensive",
    "retreat",
    "landing",
    "capture",
    "evacuation",
    "political",
    "armistice",
)
PLACE_KINDS = ("city", "country", "sea", "lake")
"""What the places layer draws: a dot and a label, or a label alone."""
SNAPSHOT_KINDS = {
    "territory": ("Polygon", "MultiPolygon"),
    "front": ("LineString", "MultiLineString"),
    "dmz": ("Polygon", "MultiPolygon"),
}


def data_root() -> Path:
    """Folder of the built-in maps (``HISTMAP_DATA`` overrides it).

    In a source checkout (run from ``src/`` or installed editable) it is the checkout's own
    ``data/``, even when another checkout is installed; installed from a wheel, the package
    ``histmap.maps`` that ships the same folder.
    """
    env = os.environ.get("HISTMAP_DATA")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2] / "data"
    if (checkout / "__init__.py").is_file():
        return checkout
    try:
        return Path(str(resources.files("histmap.maps")))
    except ModuleNotFoundError:  # the code without its maps (copied, not installed)
        return checkout


def builtin_maps() -> list[str]:
    root = data_root()
    return (
        sorted(p.name for p in root.iterdir() if (p / "map.toml").is_file())
        if root.is_dir()
        else []
    )


def resolve_map_folder(map_ref: str | os.PathLike | None) -> Path:
    """A map folder from a path or a built-in map's name (``None``: the Korean War)."""
    ref = DEFAULT_MAP if map_ref is None else map_ref
    path = Path(ref)
    if path.is_dir():
        return path
    builtin = data_root() / str(ref)
    if isinstance(ref, str) and os.sep not in ref and builtin.is_dir():
        return builtin
    known = ", ".join(builtin_maps()) or "none installed"
    raise MapError(
        [Problem(str(ref), f"no such map folder or built-in map (built-in maps: {known})")]
    )


class _Collector:
    """Accumulates problems while loading, and the map's texts in the language asked for
    (``lang``; ``None``: the map's own) with the languages each has."""

    def __init__(self, folder: Path, lang: str | None = None):
        self.folder = folder
        self.problems: list[Problem] = []
        self.lang, self.default = lang, "en"
        self.texts: list[Text] = []

    def text(self, file: str, feature: str | None, field: str, own: str, translated: dict) -> str:
        """A text in the language asked for (its own, ``own``, where it has no translation
        into it); ``translated`` maps language codes to its translations."""
        have = {code for code, value in translated.items() if isinstance(value, str) and value}
        where = self.rel(self.folder / file)
        self.texts.append(Text(where, feature, field, frozenset(have | {self.default})))
        want = self.lang or self.default
        return translated[want] if want != self.default and want in have else own

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.folder.parent))
        except ValueError:
            return str(path)

    def add(self, path: Path, message: str, *, feature=None, field=None, severity="error") -> None:
        self.problems.append(Problem(self.rel(path), message, feature, field, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_map_data(
    map_ref: str | os.PathLike | None = None, lang: str | None = None
) -> tuple[MapData, list[Problem]]:
    """Load and validate a map folder, its texts in ``lang`` (default: the map's language;
    a text not translated into ``lang`` stays in the map's language).

    Returns the data and the warnings; raises :class:`MapError` listing every
    error when the folder cannot be used.
    """
    if lang is not None:
        check_code(lang)
    folder = resolve_map_folder(map_ref)
    col = _Collector(folder, lang)
    spec = _read_spec(folder, col)
    snapshots = _read_snapshots(folder, spec, col)
    if spec is not None:
        _check_span(spec, snapshots, col)
    events = _read_events(folder, spec, col)
    places = _read_places(folder, spec, col)
    if spec is not None and spec.start and spec.end:
        _check_pages(spec, events, col)
        _check_camera(spec, col)
    if col.errors or spec is None:
        raise MapError(col.problems)
    data = MapData(spec, snapshots, events, places, texts=MapTexts(col.default, tuple(col.texts)))
    _check_drawable(data, col)
    if not spec.allow_unheld and not col.errors:
        _check_coverage(data, col)
    if col.errors:
        raise MapError(col.problems)
    return data, [p for p in col.problems if p.severity != "error"]


# -- map.toml ----------------------------------------------------------------------------------


def _read_toml(path: Path, col: _Collector) -> dict | None:
    """``map.toml`` parsed, or ``None`` (and why) when it cannot be read as TOML."""
    if not path.is_file():
        col.add(path, "missing: every map folder needs a map.toml (see docs/format.md)")
        return None
    if _too_large(path, MAX_TOML_BYTES, col):
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        col.add(path, "is not UTF-8 text: save it as UTF-8")
    except tomllib.TOMLDecodeError as exc:
        col.add(path, f"is not valid TOML: {exc}")
    except OSError as exc:
        col.add(path, f"cannot be read: {exc.strerror or exc}")
    return None


def _read_spec(folder: Path, col: _Collector) -> MapSpec | None:
    path = folder / "map.toml"
    raw = _read_toml(path, col)
    if raw is None:
        return None
    doc, problems = validate_map_toml(raw)
    for field, message in problems:
        col.add(path, message, field=field)
    if doc is None:
        return None
    col.default = doc.lang
    _check_translations(doc, path, col)
    tr = _Translator(doc, col)
    return MapSpec(
        folder=folder,
        name=folder.name,
        title=tr.text("title", doc.title),
        subtitle=tr.text("subtitle", doc.subtitle),
        extent=doc.extent,
        projection=doc.projection or None,
        resolution=doc.resolution,
        sides=[
            Side(s.id, s.id if s.name is None else tr.named("sides", s.id, s.name), s.colour)
            for s in doc.sides
        ],
        start=doc.start,
        end=doc.end,
        fps=doc.timing.fps,
        duration=doc.timing.duration,
        easing=doc.timing.easing,
        reading_speed=doc.timing.reading_speed,
        region=_region(folder, doc.region, col),
        allow_unheld=doc.allow_unheld,
        credits=tr.text("credits", doc.credits),
        exclude_borders=tuple(doc.exclude_borders),
        theme=doc.theme.overrides(),
        reference_lines=[
            ReferenceLine(r.latitude, tr.named("reference_lines", r.label, r.label))
            for r in doc.reference_lines
        ],
        phases=[Phase(p.id, tr.named("phases", p.id, p.name), p.start, p.end) for p in doc.phases],
        front_pairs=None if doc.fronts is None else frozenset(doc.fronts),
        short_title=tr.text("short_title", doc.short_title),
        pages=[tr.page(p) for p in doc.pages],
        lang=col.lang or doc.lang,
        default_lang=doc.lang,
        camera=[CameraEntry(c.date, None if c.box == "overview" else c.box) for c in doc.camera],
        shares=doc.panel.shares,
    )  # type: ignore[arg-type]  # start/end filled by _check_span


class _Translator:
    """The texts of ``map.toml`` in the language the collector asks for, each recorded."""

    def __init__(self, doc, col: _Collector):
        self.tables, self.col = doc.translations, col

    def text(self, key: str, own: str) -> str:
        """A text of the map itself (its title, ...); an empty one is not a text."""
        if not own:
            return own
        found = {code: getattr(table, key) for code, table in self.tables.items()}
        return self.col.text("map.toml", None, key, own, found)

    def named(self, key: str, name: str, own: str) -> str:
        """The text of ``name`` in a table of ``[lang.xx]`` (a side's, a phase's, ...)."""
        if not own:
            return own
        found = {code: getattr(table, key).get(name) for code, table in self.tables.items()}
        return self.col.text("map.toml", name, key, own, found)

    def page(self, page) -> Page:
        """A ``[[pages]]`` entry with its texts in the language asked for."""
        date = page.date.isoformat()
        texts = {
            key: self._page_text(date, key, getattr(page, key))
            for key in ("heading", "subheading", "intro")
        }
        events = None if page.events is None else tuple(page.events)
        return Page(page.date, events=events, **texts)

    def _page_text(self, date: str, key: str, own: str) -> str:
        if not own:
            return own
        found = {
            code: getattr(table.pages.get(date), key, None) for code, table in self.tables.items()
        }
        return self.col.text("map.toml", None, f"pages.{date}.{key}", own, found)


def _check_translations(doc, path: Path, col: _Collector) -> None:
    """Each ``[lang.xx]`` table names sides, phases, reference lines and pages the map has."""
    known = {
        "sides": {s.id for s in doc.sides if s.name is not None},
        "phases": {p.id for p in doc.phases},
        "reference_lines": {r.label for r in doc.reference_lines if r.label},
        "pages": {p.date.isoformat() for p in doc.pages},
    }
    what = {
        "sides": "a named side's id",
        "phases": "a phase's id",
        "reference_lines": "the label of a reference line",
        "pages": "the date of a [[pages]] entry",
    }
    for code, table in doc.translations.items():
        if code == doc.lang:
            col.add(
                path,
                f"translates the map into its own language ('{code}'): write those texts "
                "in the map's own keys",
                field=f"lang.{code}",
            )
        for key, names in known.items():
            for name in getattr(table, key):
                if name not in names:
                    guess = difflib.get_close_matches(name, names, n=1)
                    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                    col.add(
                        path,
                        f"'{name}' is not {what[key]} of this map{hint}",
                        field=f"lang.{code}.{key}",
                    )


def _translations(props: dict, key: str, path: Path, col: _Collector, name: str) -> dict:
    """The ``key:xx`` properties of a feature (``name:ko``, ``title:fr``), by language."""
    found = {}
    for prop, value in props.items():
        if not (isinstance(prop, str) and prop.startswith(f"{key}:")):
            continue
        if not isinstance(value, str):
            col.add(path, f"must be a text, not {_quoted(value)}", feature=name, field=prop)
            continue
        found[prop.split(":", 1)[1]] = value
    return found


def _parse_date(value: Any, path: Path, col: _Collector, **where) -> dt.date | None:
    try:
        return to_date(value, allow_time=False)
    except OptionError as exc:
        col.add(path, str(exc), **where)
        return None


def _region(folder: Path, name: str | None, col: _Collector) -> BaseGeometry | None:
    if name is None:
        return None
    path = folder / name
    doc = _read_json(path, col)
    if doc is None:
        return None
    geoms = []
    for i, feat in enumerate(doc.get("features", [])):
        geom = _geometry(feat, i, path, col, ("Polygon", "MultiPolygon"))
        if geom is not None:
            geoms.append(geom)
    return shapely.union_all(geoms) if geoms else None


# -- GeoJSON -----------------------------------------------------------------------------------


def _read_json(path: Path, col: _Collector) -> dict | None:
    if not path.is_file():
        col.add(path, "missing")
        return None
    if _too_large(path, MAX_GEOJSON_BYTES, col):
        return None
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        col.add(path, f"is not UTF-8 text (byte {exc.start}): save it as UTF-8")
        return None
    except json.JSONDecodeError as exc:
        col.add(path, f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return None
    except RecursionError:
        col.add(path, "is not valid GeoJSON: its brackets nest too deeply")
        return None
    except OSError as exc:
        col.add(path, f"cannot be read: {exc.strerror or exc}")
        return None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        col.add(
            path,
            'is not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})',
        )
        return None
    return doc


def _too_large(path: Path, limit: int, col: _Collector) -> bool:
    """Refuse a file too large to be sane, by its size, before reading any of it."""
    size = path.stat().st_size
    if size <= limit:
        return False
    col.add(
        path,
        f"is {_megabytes(size)}, more than the {_megabytes(limit)} such a file can sanely be: "
        "simplify the geometry (in QGIS: Vector > Geometry Tools > Simplify)",
    )
    return True


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size < 1e7 else f"{size / 1e6:,.0f} MB"


def _feature_name(feat: Any, i: int) -> str:
    fid = feat.get("id") if isinstance(feat, dict) else None
    props = feat.get("properties") if isinstance(feat, dict) else None
    fid = fid or (props or {}).get("id") if isinstance(props, dict) else fid
    return f"#{i}" + (f" ({fid})" if fid else "")


def _coordinates_problem(coords: np.ndarray) -> str | None:
    """What is wrong with a geometry's coordinates, if anything.

    >>> _coordinates_problem(np.array([[200.0, 10.0]]))
    'has coordinates outside lon -180..180, lat -90..90'
    """
    if coords.size == 0:
        return "is empty"
    if not np.isfinite(coords).all():
        return "has NaN or infinite coordinates"
    lon, lat = coords[:, 0], coords[:, 1]
    if (abs(lat) > 90).any() or (abs(lon) > 180).any():
        hint = (
            " (they look like [lat, lon]: GeoJSON wants [lon, lat])"
            if ((abs(lon) <= 90).all() and (abs(lat) <= 180).all())
            else ""
        )
        return f"has coordinates outside lon -180..180, lat -90..90{hint}"
    return None


def _geometry(
    feat: Any, i: int, path: Path, col: _Collector, allowed, tol: float = 0.0
) -> BaseGeometry | None:
    """A feature's geometry, checked, and simplified to ``tol`` degrees (see thin.py)."""
    name = _feature_name(feat, i)
    raw = feat.get("geometry") if isinstance(feat, dict) else None
    if not isinstance(raw, dict):
        col.add(path, "has no geometry", feature=name, field="geometry")
        return None
    if raw.get("type") not in allowed:
        col.add(
            path,
            f"is a {raw.get('type')}, expected {' or '.join(allowed)}",
            feature=name,
            field="geometry",
        )
        return None
    unclosed = _unclosed_ring(raw)
    if unclosed:
        col.add(
            path,
            f"{unclosed} is not closed: its last position must repeat its first",
            feature=name,
            field="geometry",
        )
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NaN: reported just below
            geom = _shape(raw)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        col.add(
            path,
            f"has malformed coordinates ({exc}): see the GeoJSON layout in docs/format.md",
            feature=name,
            field="geometry",
        )
        return None
    problem = _coordinates_problem(shapely.get_coordinates(geom))
    if problem:
        col.add(path, problem, feature=name, field="geometry")
        return None
    if not geom.is_valid:
        reason = re.sub(
            r"\[(\S+) (\S+)\]$",
            lambda m: f" near lon {float(m[1]):g}, lat {float(m[2]):g}",
            shapely.is_valid_reason(geom),
        )
        geom = shapely.make_valid(thin(geom, tol))  # thinned first: repairs cost by vertex
        if "Polygon" in allowed and (geom := _polygonal(geom, reason, name, path, col)) is None:
            return None
        col.add(
            path,
            f"is an invalid polygon ({reason}); repaired automatically, check it",
            feature=name,
            field="geometry",
            severity="warning",
        )
    return thin(geom, tol)


def _shape(raw: dict) -> BaseGeometry:
    """``shape(raw)``, without its Python loop over every vertex of a (multi)polygon."""
    kind, coords = raw.get("type"), raw.get("coordinates")
    try:
        if kind == "Polygon":
            return _polygon(coords)
        if kind == "MultiPolygon":
            return shapely.multipolygons([_polygon(p) for p in coords])
    except (TypeError, ValueError, shapely.errors.GEOSException):
        pass  # malformed: shape() says how
    return shape(raw)


def _polygon(rings: list) -> BaseGeometry:
    shell, *holes = (np.asarray(r) for r in rings)
    if any(a.dtype.kind not in "fi" for a in (shell, *holes)):
        raise TypeError("coordinates are not numbers")
    holes = [shapely.linearrings(h) for h in holes]
    return shapely.polygons(shapely.linearrings(shell), holes or None)


def _polygonal(
    geom: BaseGeometry, reason: str, name: str, path: Path, col: _Collector
) -> BaseGeometry | None:
    """The polygons of a repaired polygon, without the lines and points a repair may leave
    (what is drawn is what was warned about); ``None`` if none are left, reported."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if parts:
        return shapely.union_all(parts)
    col.add(
        path,
        f"is an invalid polygon ({reason}) with no area left once repaired: draw its outline again",
        feature=name,
        field="geometry",
    )
    return None


def _unclosed_ring(raw: dict) -> str | None:
    """The first ring of a (Multi)Polygon whose last position is not its first, named."""
    coords = raw.get("coordinates")
    if raw.get("type") == "Polygon":
        polygons = [coords]
    elif raw.get("type") == "MultiPolygon" and isinstance(coords, list):
        polygons = coords
    else:
        return None
    for p, rings in enumerate(polygons):
        for r, ring in enumerate(rings if isinstance(rings, list) else []):
            if isinstance(ring, list) and len(ring) >= 3 and ring[0] != ring[-1]:
                what = "the outer ring" if r == 0 else f"hole {r}"
                return what + (f" of polygon {p}" if len(polygons) > 1 else "")
    return None


def _properties(feat: Any) -> dict:
    props = feat.get("properties") if isinstance(feat, dict) else None
    return props if isinstance(props, dict) else {}


def _read_snapshots(folder: Path, spec: MapSpec | None, col: _Collector) -> list[Snapshot]:
    snap_dir = folder / "snapshots"
    files = sorted(snap_dir.glob("*.[gG][eE][oO][jJ][sS][oO][nN]")) if snap_dir.is_dir() else []
    if not files:
        col.add(snap_dir, "holds no snapshots: add at least one YYYY-MM-DD.geojson")
        return []
    side_ids = {s.id for s in spec.sides} if spec else None
    snapshots, seen = [], {}
    for path in files:
        date = _parse_date(path.stem, path, col, field="file name")
        if date is None:
            continue
        if date in seen:
            col.add(path, f"is a second snapshot for {date} (also {seen[date].name})")
            continue
        seen[date] = path
        snap = _read_snapshot(path, date, side_ids, col, tolerance(spec and spec.extent))
        if snap is not None:
            snapshots.append(snap)
    return snapshots


def _read_snapshot(
    path: Path, date: dt.date, side_ids: set | None, col: _Collector, tol: float = 0.0
) -> Snapshot | None:
    """One snapshot file (``side_ids`` None: the sides are unknown, map.toml is broken)."""
    doc = _read_json(path, col)
    if doc is None:
        return None
    transition = doc.get("transition", "morph")
    if transition not in TRANSITIONS:
        col.add(path, f"must be one of {', '.join(TRANSITIONS)}", field="transition")
    parts: dict[str, list[BaseGeometry]] = {}
    fronts, extras = [], []
    for i, feat in enumerate(doc["features"]):
        props = _properties(feat)
        kind = props.get("kind")
        name = _feature_name(feat, i)
        if not _is_feature(feat, i, path, col):
            continue
        if not isinstance(kind, str) or kind not in SNAPSHOT_KINDS:
            what = "has no kind" if kind is None else f"{_quoted(kind)} is not a kind"
            col.add(
                path,
                f"{what}: use {', '.join(SNAPSHOT_KINDS)}",
                feature=name,
                field="kind",
            )
            continue
        if not props.get("source"):
            col.add(path, "has no source: name where this comes from", feature=name, field="source")
        geom = _geometry(feat, i, path, col, SNAPSHOT_KINDS[kind], tol)
        side = props.get("side")
        if kind == "territory" and side_ids is None:
            continue
        if kind == "territory" and (not isinstance(side, str) or side not in side_ids):
            what = "has no side" if side is None else f"{_quoted(side)} is not a side of this map"
            col.add(
                path,
                f"{what}: use one of {', '.join(sorted(side_ids))}",
                feature=name,
                field="side",
            )
            continue
        if geom is None:
            continue
        if kind == "territory":
            parts.setdefault(side, []).append(geom)
        elif kind == "front":
            fronts.append((geom, props))
        else:
            extras.append((geom, props))
    territories = {side: shapely.union_all(geoms) for side, geoms in parts.items()}
    _check_overlaps(territories, path, col)
    _check_fronts_follow(territories, fronts, path, col)
    return Snapshot(date, territories, fronts, extras, transition, path)


FRONT_TOLERANCE_DEG = 0.02
"""How far (about 2 km) a drawn front may stray from where the territories meet."""


def _check_fronts_follow(
    territories: dict[str, BaseGeometry],
    fronts: list[tuple[BaseGeometry, dict]],
    path: Path,
    col: _Collector,
) -> None:
    """Warn where a drawn front is not where its snapshot's territories meet.

    The engine draws the boundary between the territories; a front feature that
    strays from it is a sign that one of the two was not updated.
    """
    if not fronts or len(territories) < 2:
        return
    sides = list(territories)
    edges = [
        shapely.intersection(territories[a].boundary, territories[b].buffer(1e-6))
        for i, a in enumerate(sides)
        for b in sides[i + 1 :]
    ]
    meeting = shapely.union_all(edges)
    near = None  # the band round the meeting lines: buffered only if a front may stray
    for n, (line, _) in enumerate(fronts):
        if _follows(line, meeting):
            continue
        if near is None:
            near = meeting.buffer(FRONT_TOLERANCE_DEG)
        stray = shapely.difference(line, near).length
        if line.length > 0 and stray > 0.05 * line.length:
            col.add(
                path,
                f"{100 * stray / line.length:.0f}% of this front lies more than about "
                "2 km from where the territories meet; the map draws the territories' "
                "boundary: move the front or the territories",
                feature=f"front {n}",
                field="geometry",
                severity="warning",
            )


def _follows(line: BaseGeometry, meeting: BaseGeometry) -> bool:
    """Whether every point of ``line`` lies in the band of :data:`FRONT_TOLERANCE_DEG` round
    ``meeting``, measured without buffering it (which cost most of a load).

    Points a quarter of the tolerance apart along the line each lie within 0.8 of it: every
    point between lies within 0.925, inside the buffered band's polygon (its arcs are chords
    within 0.5% of the tolerance), so none strays. ``False`` asks for the exact measure.
    """
    tol = FRONT_TOLERANCE_DEG
    points = shapely.points(shapely.get_coordinates(shapely.segmentize(line, tol / 4)))
    return not len(points) or float(shapely.distance(points, meeting).max()) <= 0.8 * tol


def _is_feature(feat: Any, i: int, path: Path, col: _Collector) -> bool:
    if isinstance(feat, dict):
        return True
    col.add(
        path,
        'is not a GeoJSON Feature ({"type": "Feature", "properties": {...}, "geometry": {...}})',
        feature=f"#{i}",
    )
    return False


def _quoted(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str)[:60]


def _check_overlaps(territories: dict[str, BaseGeometry], path: Path, col: _Collector) -> None:
    ids = list(territories)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            # Sides that only touch (the usual case) share no interior: much cheaper to ask.
            if not shapely.relate_pattern(territories[a], territories[b], "2********"):
                continue
            overlap = territories[a].intersection(territories[b]).area
            if overlap > 1e-6 * max(territories[a].area, 1e-12):
                col.add(
                    path,
                    f"the territories of '{a}' and '{b}' overlap "
                    f"({overlap:.4f} square degrees): each place belongs to one side",
                    field="geometry",
                )


def _read_events(folder: Path, spec: MapSpec | None, col: _Collector) -> tuple[Event, ...]:
    path = folder / "events.geojson"
    events: list[Event] = []
    if path.exists():
        doc = _read_json(path, col)
        for i, feat in enumerate(doc["features"] if doc else []):
            event = _event_row(feat, i, path, spec, col)
            if event:
                events.append(event)
    return tuple(sorted(events, key=lambda e: e.date))


def _event_row(
    feat: Any, i: int, path: Path, spec: MapSpec | None, col: _Collector
) -> Event | None:
    props, name = _properties(feat), _feature_name(feat, i)
    if not _is_feature(feat, i, path, col):
        return None
    geom = _geometry(feat, i, path, col, ("Point", "LineString", "MultiLineString"))
    date, end_date = _event_dates(props, name, path, spec, col)
    for key in ("title", "source"):
        if not props.get(key):
            col.add(path, f"is missing: every event needs a {key}", feature=name, field=key)
    kind = props.get("kind", "battle")
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        col.add(
            path,
            f"{_quoted(kind)} is not an event kind: use {', '.join(EVENT_KINDS)}",
            feature=name,
            field="kind",
        )
    side = props.get("side", "none")
    side_ids = {s.id for s in spec.sides} | {"none"} if spec else set()
    if spec and (not isinstance(side, str) or side not in side_ids):
        col.add(
            path,
            f"{_quoted(side)} is not a side of this map: use one of {', '.join(sorted(side_ids))}",
            feature=name,
            field="side",
        )
    if geom is not None and spec is not None and spec.extent is not None:
        _check_inside_extent(geom, spec.extent, name, path, col)
    camera = _event_camera(props, name, path, spec, col)
    if geom is None or date is None:
        return None
    event_id = str(props.get("id") or f"event-{i}")
    title, caption = (
        col.text(
            "events.geojson",
            event_id,
            key,
            str(props.get(key, "")),
            _translations(props, key, path, col, name),
        )
        if props.get(key)
        else ""
        for key in ("title", "caption")
    )
    return Event(
        id=event_id,
        date=date,
        end_date=end_date or date,
        title=title,
        caption=caption,
        kind=kind,
        side=side,
        phase=props.get("phase"),
        key=bool(props.get("key")),
        source=str(props.get("source", "")),
        geometry=geom,
        camera=camera,
    )


def _event_camera(
    props: dict, name: str, path: Path, spec: MapSpec | None, col: _Collector
) -> tuple | str | None:
    """An event's ``camera``: a box in degrees within the map's extent, or a word."""
    value = props.get("camera")
    if value is None:
        return None
    problem = camera_problem(value, spec.extent if spec else None, CAMERA_WORDS)
    if problem:
        col.add(path, problem, feature=name, field="camera")
        return None
    return value if isinstance(value, str) else tuple(float(v) for v in value)


def _event_dates(
    props: dict, name: str, path: Path, spec: MapSpec | None, col: _Collector
) -> tuple[dt.date | None, dt.date | None]:
    """An event's date and end date, checked against each other and the map's span."""
    if props.get("date") in (None, ""):
        col.add(
            path, "is missing: every event needs a date, YYYY-MM-DD", feature=name, field="date"
        )
        date = None
    else:
        date = _parse_date(props["date"], path, col, feature=name, field="date")
    end = props.get("end_date")
    end_date = _parse_date(end, path, col, feature=name, field="end_date") if end else None
    if date and end_date and end_date < date:
        col.add(
            path, f"{end_date} is before the event's date {date}", feature=name, field="end_date"
        )
    if date and spec and spec.start and spec.end and not spec.start <= date <= spec.end:
        col.add(
            path,
            f"{date} is outside the map's span {spec.start}..{spec.end}",
            feature=name,
            field="date",
        )
    return date, end_date


def _check_inside_extent(
    geom: BaseGeometry, extent: tuple, name: str, path: Path, col: _Collector
) -> None:
    w, s, e, n = extent
    if not geom.intersects(shapely.box(w, s, e, n)):
        x, y = shapely.get_coordinates(geom)[0]
        col.add(
            path,
            f"lies outside the map's extent: it starts at lon {x:g}, lat {y:g}, the extent is "
            f"lon {w:g}..{e:g}, lat {s:g}..{n:g}",
            feature=name,
            field="geometry",
        )


def _read_places(folder: Path, spec: MapSpec | None, col: _Collector) -> tuple[Place, ...]:
    path = folder / "places.geojson"
    places: list[Place] = []
    if path.exists():
        doc = _read_json(path, col)
        for i, feat in enumerate(doc["features"] if doc else []):
            props, name = _properties(feat), _feature_name(feat, i)
            if not _is_feature(feat, i, path, col):
                continue
            geom = _geometry(feat, i, path, col, ("Point",))
            if not props.get("name") or not isinstance(props["name"], str):
                col.add(path, "has no name: give it a text 'name'", feature=name, field="name")
                continue
            rank = props.get("rank", 3)
            if not isinstance(rank, int) or isinstance(rank, bool) or not 1 <= rank <= 5:
                col.add(
                    path,
                    "must be a whole number from 1 (most important) to 5",
                    feature=name,
                    field="rank",
                )
                continue
            kind = props.get("kind", "city")
            if not isinstance(kind, str) or kind not in PLACE_KINDS:
                col.add(
                    path,
                    f"{_quoted(kind)} is not a kind of place: use {', '.join(PLACE_KINDS)}",
                    feature=name,
                    field="kind",
                )
                continue
            if geom is not None:
                found = _translations(props, "name", path, col, name)
                shown = col.text("places.geojson", props["name"], "name", props["name"], found)
                places.append(Place(shown, rank, kind, geom))
    return tuple(places)


def _check_dates(
    spec: MapSpec, dates: list[dt.date], table: str, what: str, col: _Collector
) -> None:
    """The dates of a dated list of map.toml (``[[pages]]``, ``[[camera]]``): each within
    the map's span, and no two the same (``what`` names the entries in the message)."""
    toml = spec.folder / "map.toml"
    seen: set[dt.date] = set()
    for i, date in enumerate(dates):
        if not spec.start <= date <= spec.end:
            col.add(
                toml,
                f"{date} is outside the map's span {spec.start}..{spec.end}",
                field=f"{table}[{i}].date",
            )
        elif date in seen:
            col.add(toml, f"two {what} share the date {date}", field=f"{table}[{i}].date")
        seen.add(date)


def _check_pages(spec: MapSpec, events: tuple[Event, ...], col: _Collector) -> None:
    """Each ``[[pages]]`` entry: its date within the span, once; its events known and not
    after its date."""
    toml, known = spec.folder / "map.toml", {e.id: e for e in events}
    _check_dates(spec, [p.date for p in spec.pages], "pages", "pages", col)
    for i, page in enumerate(spec.pages):
        for event_id in page.events or ():
            event = known.get(event_id)
            if event is None:
                guess = difflib.get_close_matches(event_id, known, n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                col.add(
                    toml,
                    f"'{event_id}' is not the id of an event in events.geojson{hint}",
                    field=f"pages[{i}].events",
                )
            elif event.date > page.date:
                col.add(
                    toml,
                    f"'{event_id}' happens on {event.date}, after the page's date {page.date}",
                    field=f"pages[{i}].events",
                )


def _check_camera(spec: MapSpec, col: _Collector) -> None:
    """Each ``[[camera]]`` entry: its date within the span, once; its box within the extent."""
    toml = spec.folder / "map.toml"
    _check_dates(spec, [e.date for e in spec.camera], "camera", "entries", col)
    for i, entry in enumerate(spec.camera):
        problem = entry.box and camera_problem(list(entry.box), spec.extent)
        if problem:
            col.add(toml, problem, field=f"camera[{i}].box")


def _check_span(spec: MapSpec, snapshots: list[Snapshot], col: _Collector) -> None:
    snapshots.sort(key=lambda s: s.date)
    if not snapshots:
        return
    spec.start = spec.start or snapshots[0].date
    spec.end = spec.end or snapshots[-1].date
    toml = spec.folder / "map.toml"
    if spec.start > spec.end:
        col.add(toml, "the map ends before it starts", field="end")
    elif spec.start == spec.end:
        col.add(
            toml,
            f"the map ends when it starts ({spec.start}): give it an end after its start "
            "(with one snapshot, set start and end in map.toml)",
            field="end",
        )
    for snap in snapshots:
        if not spec.start <= snap.date <= spec.end:
            col.add(
                snap.path,
                f"its date {snap.date} is outside the map's span {spec.start}..{spec.end}",
                field="file name",
            )


def _check_coverage(data: MapData, col: _Collector) -> None:
    """With ``allow_unheld = false``, every snapshot must give all the land to some side."""
    from pyproj import Geod

    from .basemap import shared_land

    spec = data.spec
    land = data.land
    if land is None:
        land = data.land = shared_land(
            spec.extent, spec.resolution, spec.exclude_borders, spec.region
        )
    if land.is_empty:
        return
    geod = Geod(ellps="WGS84")
    land_km2 = abs(geod.geometry_area_perimeter(land)[0]) / 1e6
    for snap in data.snapshots:
        parts = list(snap.territories.values())
        if _covers(parts, land):  # the usual case, and much cheaper than a difference
            continue
        left = shapely.difference(land, shapely.union_all(parts))
        if left.is_empty:
            continue
        left_km2 = abs(geod.geometry_area_perimeter(left)[0]) / 1e6
        if left_km2 <= UNHELD_TOLERANCE * land_km2:
            continue
        parts = sorted(getattr(left, "geoms", [left]), key=lambda g: -g.area)
        x, y = parts[0].representative_point().coords[0]
        col.add(
            snap.path,
            f"leaves {left_km2:,.0f} km² of land to no side ({100 * left_km2 / land_km2:.1f}% "
            f"of the map's land; the largest piece is around lon {x:.2f}, lat {y:.2f}): extend "
            "a territory over it, or set allow_unheld = true in map.toml",
            field="geometry",
        )


def _covers(parts: list[BaseGeometry], land: BaseGeometry) -> bool:
    """Whether ``parts`` (a snapshot's territories) together cover ``land``.

    Sides that meet edge to edge (a valid coverage, the usual case) are merged by dropping
    the edges they share, in a third of the time of a union (which nodes every edge).
    """
    polygonal = all(p.geom_type in ("Polygon", "MultiPolygon") for p in parts)
    if polygonal and shapely.coverage_is_valid(parts):
        held = shapely.coverage_union_all(parts)
    else:
        held = shapely.union_all(parts)
    shapely.prepare(held)
    return bool(held.covers(land))


# -- what a render builds ----------------------------------------------------------------------


def _check_drawable(data: MapData, col: _Collector) -> None:
    """Build what every render builds from ``map.toml`` (the projection of the extent, the
    base map, the land the sides share) and refuse what cannot be drawn, so that a map
    ``check`` passes is a map that renders."""
    from .crs import Projector, default_projection

    spec, toml = data.spec, data.spec.folder / "map.toml"
    given = spec.projection
    projection = given or default_projection(spec.extent)
    field = "projection" if given else "extent"
    try:
        projector = Projector(projection)
    except Exception as exc:  # pyproj's CRSError or ProjError: refused by the schema, if given
        col.add(toml, f"cannot be drawn in the projection '{projection}' ({exc})", field=field)
        return
    outline = problem = _projected_outline(spec.extent, projector)
    if isinstance(problem, str):
        hint = (
            "narrow the extent, or choose a projection centred on it"
            if given
            else "narrow the extent, or set a projection that can draw it"
        )
        col.add(toml, f"{problem} in the projection '{projection}': {hint}", field=field)
        return
    land = _drawable_land(spec, col)
    if land is None:
        return
    drawn = projector.forward_area(land)  # as the renderer projects it
    if not np.isfinite(shapely.get_coordinates(drawn)).all() or drawn.is_empty:
        col.add(
            toml,
            f"its land cannot be drawn in the projection '{projection}' (the coast does not "
            "project to a finite shape): narrow the extent, or choose another projection",
            field=field,
        )
        return
    share, drawn_share = land.area / shapely.box(*spec.extent).area, drawn.area / outline.area
    if drawn_share < LAND_SHRINK_LIMIT * share:
        col.add(
            toml,
            f"would leave its land a speck in the projection '{projection}': it stretches the "
            f"extent so that the land fills {drawn_share:.1%} of the map instead of about "
            f"{share:.0%} (Mercator-like projections grow without end towards the poles): "
            "narrow the extent, or choose another projection",
            field=field,
        )
        return
    data.land = land


LAND_SHRINK_LIMIT = 0.25
"""The least share of the map the land may fill, as a part of its share of the extent in
plain longitude and latitude: less, and the projection has stretched the empty parts."""


def _projected_outline(extent: tuple, projector) -> shapely.Polygon | str:
    """The extent on the map, or what keeps it from being one finite, simple area there."""
    w, s, e, n = extent
    k = 50
    lon = np.r_[np.linspace(w, e, k), np.full(k, e), np.linspace(e, w, k), np.full(k, w)]
    lat = np.r_[np.full(k, s), np.linspace(s, n, k), np.full(k, n), np.linspace(n, s, k)]
    glon, glat = (a.ravel() for a in np.meshgrid(np.linspace(w, e, 21), np.linspace(s, n, 21)))
    x, y = projector.points(np.r_[lon, glon], np.r_[lat, glat])
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = f"lon {np.r_[lon, glon][i]:g}, lat {np.r_[lat, glat][i]:g}"
        return f"reaches where the map cannot be drawn (around {where})"
    outline = shapely.Polygon(np.column_stack([x[: 4 * k], y[: 4 * k]]))
    if not outline.is_valid or outline.area <= 0:
        return (
            "does not make one area on the map (it wraps around a pole or all the way "
            "around the globe)"
        )
    return outline


def _drawable_land(spec: MapSpec, col: _Collector) -> BaseGeometry | None:
    """The land the sides share, or ``None`` (and why) when the map has none to draw."""
    from .basemap import shared_land

    toml = spec.folder / "map.toml"
    try:
        land = shared_land(spec.extent, spec.resolution, spec.exclude_borders, spec.region)
    except OptionError as exc:  # a resolution that is not installed
        col.add(toml, str(exc), field="resolution")
        return None
    if not land.is_empty:
        return land
    w, s, e, n = spec.extent
    if spec.region is not None and not shared_land(spec.extent, spec.resolution).is_empty:
        col.add(
            toml,
            "holds no land within the extent: the sides share the land of the region, "
            "so it must cover some of the coast within the extent",
            field="region",
        )
    else:
        col.add(
            toml,
            f"holds no land (lon {w:g}..{e:g}, lat {s:g}..{n:g} is all sea in the base map): "
            "the sides share the land within the extent, so it must hold some; check it is "
            "[west, south, east, north] in degrees",
            field="extent",
        )
    return None
