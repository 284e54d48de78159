"""The second built-in map, made from data alone: checks, reads right, renders."""

from __future__ import annotations

import imageio.v3 as iio
import pytest
from shapely.geometry import Point

from histmap import load_map
from histmap.cli import main


@pytest.fixture(scope="module")
def soviet():
    return load_map("soviet_view_1951")


def test_check_passes_on_both_built_in_maps():
    assert main(["check", "soviet_view_1951"]) == 0
    assert main(["check", "korean_war"]) == 0


def side_at(hmap, date, lon, lat):
    held = hmap.territories_at(date)
    hits = [row.side for row in held.itertuples() if row.geometry.contains(Point(lon, lat))]
    return hits[0] if hits else None


@pytest.mark.parametrize(
    ("date", "lon", "lat", "side"),
    [
        ("1949-01-01", 118.8, 32.05, "nationalist"),  # Nanjing before the Yangtze crossing
        ("1949-06-01", 118.8, 32.05, "prc"),
        ("1949-01-01", 123.4, 41.8, "prc"),  # Shenyang
        ("1949-06-01", 81.3, 43.9, "soviet"),  # Ghulja, East Turkestan Republic
        ("1950-01-01", 81.3, 43.9, "prc"),
        ("1950-01-01", 110.3, 19.6, "nationalist"),  # Hainan
        ("1950-06-01", 110.3, 19.6, "prc"),
        ("1950-06-01", 91.1, 29.65, "neutral"),  # Lhasa
        ("1951-01-25", 97.18, 31.14, "prc"),  # Chamdo
        ("1951-01-25", 106.9, 47.9, "soviet"),  # Ulan Bator
        ("1951-01-25", 139.7, 35.7, "west"),  # Tokyo
        ("1951-01-25", 121.5, 25.0, "nationalist"),  # Taipei
        ("1950-11-24", 125.75, 39.03, "west"),  # Pyongyang in UN hands
        ("1951-01-25", 125.75, 39.03, "soviet"),
    ],
)
def test_who_holds_what(soviet, date, lon, lat, side):
    assert side_at(soviet, date, lon, lat) == side


def test_only_the_listed_pairs_are_fronts(soviet):
    pairs = {frozenset((r.side_a, r.side_b)) for r in soviet.fronts_at("1949-06-01").itertuples()}
    assert frozenset(("prc", "nationalist")) in pairs
    assert frozenset(("soviet", "prc")) not in pairs
    assert frozenset(("soviet", "nationalist")) not in pairs


def test_required_events_are_dated_placed_and_sourced(soviet):
    ev = soviet.events.set_index("id")
    for key in (
        "etr-plane",
        "etr-dissolved",
        "prc-founded",
        "treaty",
        "korea-invasion",
        "inchon",
        "china-intervenes",
        "pla-xinjiang",
    ):
        assert ev.loc[key, "source"] and ev.loc[key, "caption"]


def test_still_and_short_animation_render(soviet, tmp_path):
    still = soviet.still("1951-01-25", tmp_path / "atlas.png", size=(320, 180))
    assert iio.imread(still).shape[:2] == (180, 320)
    (gif,) = soviet.render(tmp_path / "a.gif", size=(320, 180), fps=4, duration=2, workers=1)
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] == 8 and frames.shape[1:3] == (180, 320)
    assert frames[0].std() > 5  # a drawn map, not a blank frame
