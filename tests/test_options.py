"""One RenderOptions: checked once, the same for the CLI, the API, lessons, stills and Dask."""

import datetime as dt
import pickle

import numpy as np
import pytest

import histmap
from histmap import RenderOptions
from histmap.cli import main


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pacing": "fast"}, "pacing must be one of story, calendar"),
        ({"fps": 0}, "fps must be a positive number"),
        ({"duration": -3}, "duration must be a positive number"),
        ({"size": (640,)}, r"size must be \(width, height\)"),
        ({"size": (640.5, 360)}, r"size must be \(width, height\)"),
        ({"workers": 0}, "workers must be a whole number from 1"),
        ({"start": "1950-13-01"}, "is not a date"),
        ({"scheduler": ""}, "scheduler must be a Dask scheduler's address"),
    ],
)
def test_bad_options_are_refused_when_made(changes, message):
    with pytest.raises(histmap.OptionError, match=message):
        RenderOptions(**changes)


def test_options_are_plain_values_that_travel_as_they_are():
    options = RenderOptions(size=[640, 360], fps=8, start="1950-09-15", end=dt.date(1951, 1, 1))
    assert options.size == (640, 360) and options.start == dt.date(1950, 9, 15)
    assert pickle.loads(pickle.dumps(options)) == options
    assert hash(options) == hash(RenderOptions.of(options))
    assert RenderOptions.of(options, fps=12) == RenderOptions(
        size=(640, 360), fps=12, start="1950-09-15", end="1951-01-01"
    )
    with pytest.raises(TypeError, match="unknown render option"):
        RenderOptions.of(options, colour="red")


def test_sizes_and_rates_follow_one_rule():
    assert RenderOptions().frame_size() == (1280, 720)
    assert RenderOptions().frame_size(gif_only=True) == (960, 540)
    assert RenderOptions().frame_rate(24, gif_only=True) == 12
    assert RenderOptions(fps=30).frame_rate(24, gif_only=True) == 30
    assert RenderOptions(size=(480, 270)).gif_size() == (480, 270)
    assert RenderOptions().gif_size() == (960, 540)


def test_keywords_and_options_give_the_same_plan(korea):
    by_keywords = korea.plan(size=(320, 180), fps=4, duration=3, pacing="calendar")
    by_options = korea.plan(RenderOptions(size=(320, 180), fps=4, duration=3, pacing="calendar"))
    assert by_keywords.size == by_options.size == (320, 180)
    assert np.array_equal(by_keywords.days, by_options.days)
    assert np.array_equal(by_keywords.times, by_options.times)


def test_the_command_line_refuses_bad_options_before_drawing(tmp_path, capsys):
    out = tmp_path / "war.mp4"
    assert main(["render", "-o", str(out), "--fps", "0", "--quiet"]) == 2
    assert "fps must be a positive number" in capsys.readouterr().err
    assert not out.exists()
