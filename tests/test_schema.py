"""map.toml's pydantic model: its theme mirrors the renderer's, its errors speak histmap."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest
from conftest import TINY_TOML

from histmap.loader import load_map_data
from histmap.schema import MapToml, ThemeToml, validate_map_toml
from histmap.style import Theme


def test_the_theme_table_has_the_themes_fields_and_defaults():
    theme = Theme()
    assert list(ThemeToml.model_fields) == [f.name for f in dataclasses.fields(Theme)]
    assert ThemeToml().model_dump() == dataclasses.asdict(theme)


def test_the_validated_theme_reaches_the_renderer(tiny_map):
    toml = tiny_map / "map.toml"
    toml.write_text(toml.read_text() + '\n[theme]\nsea = "steelblue"\nrelief = 1\n')
    data, _ = load_map_data(tiny_map)
    assert data.spec.theme == {"sea": "steelblue", "relief": 1.0}
    theme = Theme.from_table(data.spec.theme)
    assert (theme.sea, theme.relief, theme.land) == ("steelblue", 1.0, Theme().land)


ODD = [0, -1, 1.5, float("nan"), True, "", "x", "1950-13-45", [], [1, 2], {}, {"a": 1}]


@pytest.mark.parametrize("value", ODD, ids=repr)
@pytest.mark.parametrize(
    "key",
    [
        ("title",), ("extent",), ("projection",), ("resolution",), ("sides",), ("start",),
        ("timing",), ("timing", "fps"), ("timing", "duration"), ("timing", "easing"),
        ("theme",), ("theme", "sea"), ("theme", "territory_alpha"), ("theme", "font"),
        ("allow_unheld",), ("exclude_borders",), ("reference_lines",), ("phases",), ("fronts",),
    ],
    ids=".".join,
)
def test_every_error_is_said_in_histmaps_words(key, value):
    """No pydantic wording ('Input should be', 'Field required') reaches a map maker."""
    raw = tomllib.loads(TINY_TOML)
    table = raw
    for part in key[:-1]:
        table = table.setdefault(part, {})
    table[key[-1]] = value
    doc, problems = validate_map_toml(raw)
    assert (doc is None) == bool(problems)
    for field, message in problems:
        assert field.startswith(key[0]), problems
        assert "Input should" not in message and "Field required" not in message, problems
        assert "pydantic" not in message, problems


def test_a_list_of_tables_says_what_each_item_needs():
    raw = tomllib.loads(TINY_TOML)
    raw["phases"] = [{"id": "p", "name": "P", "start": "1950-07-01"}, 5]
    raw["reference_lines"] = [{"label": "38th parallel"}]
    _, problems = validate_map_toml(raw)
    assert problems == [
        ("reference_lines[0]",
         "needs a 'latitude' number and a 'label'; this one has no 'latitude'"),
        ("phases[0]", "needs 'id', 'name', 'start' and 'end'; this one has no 'end'"),
        ("phases[1]", "needs 'id', 'name', 'start' and 'end'"),
    ]


def test_an_unknown_projection_is_refused_at_check():
    raw = tomllib.loads(TINY_TOML) | {"projection": "EPSG:99999"}
    _, problems = validate_map_toml(raw)
    assert [f for f, _ in problems] == ["projection"]
    assert "'EPSG:99999' is not a projection" in problems[0][1]


def test_the_model_has_the_keys_of_the_format_reference():
    """docs/format.md's table of map.toml keys and the model agree."""
    text = (Path(__file__).parents[1] / "docs" / "format.md").read_text(encoding="utf-8")
    table = text.split("## `map.toml`")[1].split("\n## ")[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    documented = {key.strip("[]") for row in rows for key in re.findall(r"`([^`]+)`", row)}
    # translations: the [lang.xx] tables, documented under `lang` (the key map.toml gives)
    assert documented == set(MapToml.model_fields) - {"translations"}
