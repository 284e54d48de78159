"""The shape of ``map.toml``: one pydantic model of every key a map may set.

:func:`validate_map_toml` checks a parsed ``map.toml`` against :class:`MapToml`
and turns pydantic's errors into histmap's messages: the key's path
(``timing.fps``, ``sides[1].colour``, ``theme.sea``) and what to write instead.
Every value rendering reads from ``map.toml`` is checked here, so that
``histmap check`` refuses what a render would trip on.

>>> doc, problems = validate_map_toml({"title": "T", "extent": [0, 0, 1, 1],
...     "sides": [{"id": "a", "colour": "#000000"}], "theme": {"sea": "bleu"}})
>>> problems
[('theme.sea', "'bleu' is not a colour: use a name like 'steelblue' or a hex code like '#d3e2ec'")]
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from string import hexdigits
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ._dates import to_date
from ._errors import OptionError
from .style import Theme

RESOLUTIONS = ("c", "l", "i", "h", "f")
EASINGS = ("linear", "ease-in-out")
_THEME = Theme()


def _refuse(message: str) -> PydanticCustomError:
    """A validation error carrying histmap's own message, shown as it is."""
    return PydanticCustomError("histmap", message)


# -- one value ---------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _between(low: float, high: float, unit: str = "", *, above_low: bool = False):
    """A number from ``low`` to ``high`` (``above_low``: ``low`` itself excluded); NaN is not."""

    def check(value: float) -> float:
        if not ((low < value) if above_low else (low <= value)) or not value <= high:
            raise _refuse(f"must be between {low:g} and {high:g}{unit}, not {value:g}")
        return value

    return AfterValidator(check)


def _one_of(choices: tuple[str, ...]):
    def check(value: str) -> str:
        if value not in choices:
            raise _refuse(f"must be one of {', '.join(choices)}")
        return value

    return AfterValidator(check)


def _date(value: Any) -> dt.date:
    if not isinstance(value, str | dt.date):
        raise _refuse(f"must be a date, YYYY-MM-DD, not {_type_name(type(value))}")
    try:
        return to_date(value, allow_time=False)
    except OptionError as exc:
        raise _refuse(str(exc)) from None


def _extent(value: Any) -> tuple[float, float, float, float]:
    if isinstance(value, list) and len(value) == 4 and all(map(_is_number, value)):
        w, s, e, n = (float(v) for v in value)
        if -180 <= w < e <= 180 and -90 <= s < n <= 90:
            return (w, s, e, n)
    raise _refuse("must be [west, south, east, north] in degrees, west < east, south < north")


def _box(value: Any) -> tuple[float, float, float, float]:
    if isinstance(value, list) and len(value) == 4 and all(map(_is_number, value)):
        if all(map(math.isfinite, value)):
            return tuple(float(v) for v in value)  # type: ignore[return-value]
        raise _refuse(f"must be [west, south, east, north] in degrees, not {_numbers(value)}")
    raise _refuse("must be [west, south, east, north]")


CAMERA_WORDS = ("overview", "none")


def camera_problem(
    value: Any, extent: tuple[float, float, float, float] | None, words: tuple[str, ...] = ()
) -> str | None:
    """What is wrong with a camera box ``[west, south, east, north]`` in degrees (or one of
    ``words``, e.g. ``"overview"``), inside ``extent`` if given; ``None`` if nothing.

    >>> camera_problem([126, 37, 125, 38], None)
    'west (126) must be less than east (125)'
    >>> camera_problem([100, 37, 127, 38], (119.5, 32.6, 135.5, 43.5))
    "reaches outside the map's extent (lon 119.5..135.5, lat 32.6..43.5)"
    """
    if isinstance(value, str) and value in words:
        return None
    wanted = "[west, south, east, north] in degrees" + "".join(f' or "{w}"' for w in words)
    if not isinstance(value, list | tuple):
        return f"must be {wanted}, not {_type_name(type(value))} {value!r}"[:160]
    if len(value) != 4:
        return f"must be 4 numbers, {wanted}, not {len(value)}"
    if not all(map(_is_number, value)):
        return f"must be numbers, {wanted}, not {value!r}"[:160]
    if not all(map(math.isfinite, value)):
        return f"must be finite numbers, {wanted}, not {_numbers(value)}"
    w, s, e, n = value
    if w >= e:
        return f"west ({w:g}) must be less than east ({e:g})"
    if s >= n:
        return f"south ({s:g}) must be less than north ({n:g})"
    if extent is not None:
        ew, es, ee, en = extent
        if w < ew or s < es or e > ee or n > en:
            return f"reaches outside the map's extent (lon {ew:g}..{ee:g}, lat {es:g}..{en:g})"
    return None


def _camera_box(value: Any) -> tuple[float, float, float, float] | str:
    problem = camera_problem(value, None, ("overview",))
    if problem:
        raise _refuse(problem)
    return value if isinstance(value, str) else tuple(float(v) for v in value)


def _numbers(values: list) -> str:
    """``[nan, 0.0, 1.0, 1.0]``, as TOML writes them."""
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


PROJECTION_EXAMPLES = (
    "use an EPSG code like 'EPSG:5179' or a PROJ string like "
    "'+proj=lcc +lat_1=34 +lat_2=41 +lon_0=127', or leave projection out for the default"
)


def _projection(value: str) -> str:
    """A map projection of the Earth that lon/lat can be transformed to."""
    if not value:
        return value
    import pyproj

    try:
        crs = pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        raise _refuse(
            f"'{value}' is not a projection pyproj knows: {PROJECTION_EXAMPLES}"
        ) from None
    if not (crs.is_projected or crs.is_geographic):
        raise _refuse(
            f"'{value}' is a {crs.type_name} ({crs.name}), not a map projection: "
            + PROJECTION_EXAMPLES
        )
    try:
        pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    except pyproj.exceptions.ProjError as exc:
        reason = str(exc).split("(Internal Proj Error: ")[-1].split(". ")[0].rstrip(").")
        raise _refuse(
            f"'{value}' cannot be reached from longitude and latitude ({reason}): "
            + PROJECTION_EXAMPLES
        ) from None
    return value


def _side_colour(value: str) -> str:
    body = value[1:] if value.startswith("#") else ""
    if len(body) in (6, 8) and all(c in hexdigits for c in body):
        return value
    raise _refuse(f"'{value}' is not a colour: use '#rrggbb'")


def _theme_colour(value: str) -> str:
    from matplotlib.colors import is_color_like  # here: `import histmap` stays without matplotlib

    if is_color_like(value):
        return value
    raise _refuse(
        f"'{value}' is not a colour: use a name like 'steelblue' or a hex code like '#d3e2ec'"
    )


def _font(value: str) -> str:
    if value.strip():
        return value
    raise _refuse(f"must name a font, e.g. '{_THEME.font}'")


def _front_pair(value: Any, info: ValidationInfo) -> frozenset[str]:
    sides = info.data.get("sides")
    if sides is None:  # the sides are wrong, and reported: no pair can be checked
        return frozenset()
    ids = {s.id for s in sides}
    if isinstance(value, list) and len(value) == 2 and set(map(str, value)) <= ids:
        return frozenset(map(str, value))
    raise _refuse(f"must be a pair of two side ids ({', '.join(sorted(ids))})")


Date = Annotated[dt.date, PlainValidator(_date)]
Box = Annotated[tuple[float, float, float, float], PlainValidator(_box)]
Colour = Annotated[str, AfterValidator(_theme_colour)]
Share = Annotated[float, _between(0, 1)]


# -- the tables --------------------------------------------------------------------------------


class _Table(BaseModel):
    """A TOML table: its keys are these fields, no others, each of exactly its type."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TimingToml(_Table):
    fps: Annotated[int, _between(1, 120)] = 24
    duration: Annotated[float, _between(0, 3600, " seconds", above_low=True)] = 90.0
    easing: Annotated[str, _one_of(EASINGS)] = "linear"
    reading_speed: Annotated[float, _between(60, 600, " words a minute")] = 180.0


class SideToml(_Table):
    id: str
    name: str | None = None
    colour: Annotated[str, AfterValidator(_side_colour)]


class ThemeToml(_Table):
    """``[theme]``: :class:`~histmap.style.Theme`'s fields, its defaults, each checked."""

    sea: Colour = _THEME.sea
    land: Colour = _THEME.land
    coast: Colour = _THEME.coast
    border: Colour = _THEME.border
    river: Colour = _THEME.river
    front: Colour = _THEME.front
    text: Colour = _THEME.text
    muted: Colour = _THEME.muted
    panel: Colour = _THEME.panel
    timeline: Colour = _THEME.timeline
    territory_alpha: Share = _THEME.territory_alpha
    relief: Share = _THEME.relief
    font: Annotated[str, AfterValidator(_font)] = _THEME.font
    gain_days: Annotated[float, _between(0, 3650, " days")] = _THEME.gain_days
    gain_tint: Share = _THEME.gain_tint

    def overrides(self) -> dict[str, Any]:
        """The keys the map sets, validated: what ``Theme.from_table`` takes."""
        return self.model_dump(exclude_unset=True)


class PanelToml(_Table):
    """``[panel]``: what the panel beside the map shows besides its texts and legend."""

    shares: bool = False
    """Each side's share of the land, measured on an equal-area projection."""


class ReferenceLineToml(_Table):
    latitude: Annotated[float, _between(-90, 90)]
    label: str = ""


class PhaseToml(_Table):
    id: str
    name: str
    start: Date
    end: Date

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise _refuse(f"ends ({end}) before it starts ({start})")
        return end


class PageToml(_Table):
    """An atlas page: its date, and optionally its texts and the events it lists."""

    date: Date
    heading: str = ""
    subheading: str = ""
    intro: str = ""
    events: list[str] | None = None


def _language(value: str) -> str:
    from .i18n import check_code

    try:
        return check_code(value)
    except OptionError as exc:
        raise _refuse(str(exc)) from None


LangCode = Annotated[str, AfterValidator(_language)]


class PageTextsToml(_Table):
    """``[lang.xx.pages."YYYY-MM-DD"]``: an atlas page's texts in a language."""

    heading: str | None = None
    subheading: str | None = None
    intro: str | None = None


class LangToml(_Table):
    """``[lang.xx]``: the texts of ``map.toml`` in the language ``xx``."""

    title: str | None = None
    subtitle: str | None = None
    short_title: str | None = None
    credits: str | None = None
    sides: dict[str, str] = {}
    """Side id -> name."""
    phases: dict[str, str] = {}
    """Phase id -> name."""
    reference_lines: dict[str, str] = {}
    """A reference line's label in the map's language -> its label in this one."""
    pages: dict[str, PageTextsToml] = {}
    """An atlas page's date (YYYY-MM-DD) -> its texts."""


class CameraToml(_Table):
    """A ``[[camera]]`` entry: from its date on, the camera shows its box."""

    date: Date
    box: Annotated[Any, PlainValidator(_camera_box)]


def _distinct_sides(sides: list[SideToml]) -> list[SideToml]:
    ids = [s.id for s in sides]
    if not sides:
        raise _refuse("needs at least one side")
    if len(set(ids)) != len(ids):
        raise _refuse("two sides share an id")
    return sides


class MapToml(_Table):
    """All of ``map.toml`` (docs/format.md); ``sides`` come before ``fronts``, which name them."""

    title: str
    subtitle: str = ""
    short_title: str = ""
    extent: Annotated[tuple[float, float, float, float], PlainValidator(_extent)]
    projection: Annotated[str, AfterValidator(_projection)] = ""
    resolution: Annotated[str, _one_of(RESOLUTIONS)] = "i"
    sides: Annotated[list[SideToml], AfterValidator(_distinct_sides)]
    start: Date | None = None
    end: Date | None = None
    timing: TimingToml = Field(default_factory=TimingToml)
    region: str | None = None
    allow_unheld: bool = False
    exclude_borders: list[Box] = []
    theme: ThemeToml = Field(default_factory=ThemeToml)
    panel: PanelToml = Field(default_factory=PanelToml)
    credits: str = ""
    reference_lines: list[ReferenceLineToml] = []
    phases: list[PhaseToml] = []
    pages: list[PageToml] = []
    camera: list[CameraToml] = []
    fronts: list[Annotated[frozenset[str], PlainValidator(_front_pair)]] | None = None
    lang: LangCode = "en"
    translations: dict[LangCode, LangToml] = {}
    """The ``[lang.xx]`` tables (``lang`` in map.toml: see :func:`validate_map_toml`)."""


# -- pydantic's errors in histmap's words ------------------------------------------------------

_TABLES: dict[str, tuple[type[_Table], str]] = {
    "timing": (TimingToml, "[timing]"),
    "theme": (ThemeToml, "[theme]"),
    "panel": (PanelToml, "[panel]"),
    "sides": (SideToml, "[[sides]]"),
    "reference_lines": (ReferenceLineToml, "[[reference_lines]]"),
    "phases": (PhaseToml, "[[phases]]"),
    "pages": (PageToml, "[[pages]]"),
    "lang": (LangToml, "[lang.xx]"),
    "camera": (CameraToml, "[[camera]]"),
}
_NEEDS = {
    "sides": "each side needs an 'id' and a 'colour' (and a 'name')",
    "reference_lines": "needs a 'latitude' number and a 'label'",
    "phases": "needs 'id', 'name', 'start' and 'end'",
    "pages": "needs a 'date' (and may have 'heading', 'subheading', 'intro', 'events')",
    "camera": "needs a 'date' and a 'box' ([west, south, east, north] or \"overview\")",
}
"""What an item of a list of tables needs, said when it is not a table or lacks a key."""
_NOT_A_TABLE = {"sides": "must be a [[sides]] table with an id, a name and a colour"}
_WANTED = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
}


def validate_map_toml(raw: dict) -> tuple[MapToml | None, list[tuple[str, str]]]:
    """The checked document, or ``None`` and every problem as (key path, what to do).

    ``lang`` is the map's language (``lang = "fr"``), or a table of translations
    (``[lang.ko]``), which may name the map's language as ``default`` (TOML cannot make
    ``lang`` both a text and a table).
    """
    raw = dict(raw)
    stray = [("translations", "unknown key")] if "translations" in raw else []
    raw.pop("translations", None)
    lang = raw.get("lang")
    if isinstance(lang, dict):
        tables = dict(lang)
        raw["lang"] = tables.pop("default", "en")
        raw["translations"] = tables
    try:
        doc = MapToml.model_validate(raw)
    except ValidationError as exc:
        return None, stray + problems(exc)
    return (None, stray) if stray else (doc, [])


def problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Each of pydantic's errors as (key path, histmap's message), in the model's order."""
    out: list[tuple[str, str | None]] = []
    lacking: dict[str, list[str]] = {}  # an item of a list of tables -> the keys it lacks
    for err in exc.errors(include_url=False):
        loc, kind = err["loc"], err["type"]
        field = _field(loc)
        if kind == "histmap":
            out.append((field, err["msg"]))
        elif kind == "extra_forbidden":
            out.append((field, _unknown_key(loc)))
        elif kind == "missing" and len(loc) == 3 and loc[0] in _NEEDS:
            item = _field(loc[:2])
            if item not in lacking:
                lacking[item] = []
                out.append((item, None))  # said below, once all the keys it lacks are known
            lacking[item].append(f"'{loc[2]}'")
        elif kind == "missing":
            out.append((field, "is required"))
        elif kind == "model_type" and len(loc) == 2 and loc[0] in _NEEDS:
            out.append((field, _NOT_A_TABLE.get(str(loc[0]), _NEEDS[str(loc[0])])))
        elif kind in _WANTED:
            got = _type_name(type(err["input"]))
            out.append((field, f"must be {_WANTED[kind]}, not {got}"))
        else:  # not expected: pydantic's own words rather than nothing
            out.append((field, err["msg"]))
    return [(field, _lacks(field, lacking) if msg is None else msg) for field, msg in out]


def _lacks(item: str, lacking: dict[str, list[str]]) -> str:
    """``sides[1]`` lacks its 'colour': the table's needs, and what this one has not."""
    needs = _NEEDS[item.split("[")[0]]
    return f"{needs}; this one has no " + " and no ".join(lacking[item])


def _field(loc: tuple) -> str:
    """``('sides', 1, 'colour')`` as ``sides[1].colour``."""
    if loc and loc[0] == "translations":  # the [lang.xx] tables, as map.toml names them
        loc = ("lang", *(part for part in loc[1:] if part != "[key]"))
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _unknown_key(loc: tuple) -> str:
    prefix = _field(loc[:-1]) + "." if len(loc) > 1 else ""
    if loc[0] == "translations":
        loc = ("lang", *loc[1:])
        if len(loc) > 3 and loc[2] == "pages":
            loc = ("pages", *loc[3:])  # a page's texts: heading, subheading, intro
    table, name = _TABLES.get(str(loc[0]), (MapToml, "")) if len(loc) > 1 else (MapToml, "")
    if table is PageToml and loc[:1] == ("pages",) and isinstance(loc[1], str):
        table, name = PageTextsToml, '[lang.xx.pages."YYYY-MM-DD"]'
    known = [k for k in table.model_fields if k != "translations"]
    guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
    hint = f" (did you mean '{prefix}{guess[0]}'?)" if guess else ""
    listing = f"; the keys of {name} are {', '.join(known)}" if name else ""
    return f"unknown key{hint}{listing}"


def _type_name(t: type) -> str:
    return {
        str: "string",
        int: "whole number",
        float: "number",
        list: "list",
        dict: "table",
        bool: "true/false",
        dt.date: "date",
        dt.datetime: "date and time",
        dt.time: "time of day",
    }.get(t, t.__name__)
