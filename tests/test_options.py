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


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fps": float("nan")}, "fps must be a positive number, not nan"),
        ({"fps": float("inf")}, "fps must be a positive number, not inf"),
        ({"duration": float("nan")}, "duration must be a positive number, not nan"),
        ({"duration": float("-inf")}, "duration must be a positive number"),
        ({"duration": 0}, "duration must be a positive number"),
        ({"size": (float("nan"), 360)}, r"size must be \(width, height\)"),
        ({"size": (640, float("inf"))}, r"size must be \(width, height\)"),
        ({"workers": float("nan")}, "workers must be a whole number from 1"),
        ({"workers": -2}, "workers must be a whole number from 1"),
        ({"workers": 2.0}, "workers must be a whole number from 1"),
    ],
)
def test_nan_inf_and_nonsense_are_refused_everywhere(changes, message):
    with pytest.raises(histmap.OptionError, match=message):
        RenderOptions(**changes)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((1, 1), r"size 1x1 is out of range \(64x64 to 7680x4320\)"),
        ((0, 0), r"size 0x0 is out of range"),
        ((-64, 64), r"size -64x64 is out of range"),
        ((64, 10_000), r"size 64x10000 is out of range"),
        (("a", "b"), r"size must be \(width, height\) in whole pixels, not \('a', 'b'\)"),
        ("1280x720", r"size must be \(width, height\)"),
        (None, None),
    ],
)
def test_the_api_checks_sizes_as_the_command_line_does(size, message):
    if message is None:
        assert RenderOptions(size=size).size is None
        return
    with pytest.raises(histmap.OptionError, match=message):
        RenderOptions(size=size)


def test_one_size_check_gives_the_same_message_to_the_api_and_the_cli(capsys):
    from histmap.options import parse_size

    for text, size in (("1x1", (1, 1)), ("0x0", (0, 0)), ("-64x64", (-64, 64))):
        with pytest.raises(histmap.OptionError) as by_text:
            parse_size(text)
        with pytest.raises(histmap.OptionError) as by_api:
            RenderOptions(size=size)
        assert str(by_text.value) == str(by_api.value)
    with pytest.raises(SystemExit) as exit_:  # argparse refuses it, as a usage error
        main(["still", "1950-09-15", "--size", "1x1"])
    assert exit_.value.code == 2
    assert "size 1x1 is out of range (64x64 to 7680x4320)" in capsys.readouterr().err
    assert RenderOptions(size=(64, 64)).size == (64, 64)
    assert RenderOptions(size=(7680, 4320)).size == (7680, 4320)


def test_the_api_still_refuses_a_bad_size_at_once(korea, tmp_path):
    for size in ((1, 1), (0, 0), (-64, 64), ("a", "b")):
        with pytest.raises(histmap.OptionError, match="size"):
            korea.still("1950-09-15", tmp_path / "s.png", size=size)
    assert not (tmp_path / "s.png").exists()


def test_workers_are_capped_at_the_cores_and_the_chunks(monkeypatch):
    import histmap.options as options

    monkeypatch.setattr(options, "available_cores", lambda: 4)
    assert RenderOptions(workers=1000).worker_count(frames=10_000, chunk=8) == 4
    assert RenderOptions().worker_count(frames=10_000, chunk=8) == 4
    assert RenderOptions(workers=3).worker_count(frames=10_000, chunk=8) == 3
    assert RenderOptions(workers=1000).worker_count(frames=20, chunk=8) == 3
    assert RenderOptions(workers=1000).worker_count(frames=1, chunk=8) == 1
    assert RenderOptions(workers=2).worker_count(frames=0, chunk=8) == 1


def test_a_thousand_workers_render_with_the_cores_there_are(tiny_map, tmp_path, monkeypatch):
    import histmap.render as render

    started = []
    real = render.ProcessPoolExecutor

    def pool(workers, *args, **kwargs):
        started.append(workers)
        return real(workers, *args, **kwargs)

    monkeypatch.setattr(render, "ProcessPoolExecutor", pool)
    out = tmp_path / "a.gif"
    args = ["render", str(tiny_map), "-o", str(out), "--size", "96x64", "--quiet"]
    assert main([*args, "--workers", "1000", "--duration", "3", "--fps", "8"]) == 0
    assert out.is_file()
    assert all(n <= histmap.options.available_cores() for n in started)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_the_command_line_refuses_bad_durations_with_exit_2(value, tmp_path, capsys):
    out = tmp_path / "war.mp4"
    assert main(["render", "-o", str(out), "--duration", value, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "duration must be a positive number" in err and "unexpectedly" not in err
    assert not out.exists()


@pytest.mark.parametrize("value", ["0", "-3"])
def test_the_command_line_refuses_nonsense_workers(value, tmp_path, capsys):
    out = tmp_path / "war.mp4"
    assert main(["render", "-o", str(out), "--workers", value, "--quiet"]) == 2
    assert "workers must be a whole number from 1" in capsys.readouterr().err
    assert not out.exists()


def test_a_lesson_refuses_a_poster_outside_the_span_before_any_work(tmp_path, capsys, monkeypatch):
    import histmap.pipeline as pipeline

    def no_drawing(*args, **kwargs):
        raise AssertionError("the video was drawn before the poster was checked")

    monkeypatch.setattr(pipeline, "render_outputs", no_drawing)
    out = tmp_path / "lesson"
    assert main(["lesson", "-o", str(out), "--poster", "1960-01-01", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "poster: 1960-01-01 is outside the map's span, 1950-06-25 to 1953-07-27" in err
    assert not out.exists()
    with pytest.raises(histmap.OptionError, match=r"poster: .* is not a date"):
        histmap.load_map().lesson(out, poster="1951-02-30")
    assert not out.exists()


def test_render_refuses_dates_outside_the_span_before_any_work(korea, tmp_path):
    with pytest.raises(histmap.OptionError, match="outside the map's span"):
        korea.render(tmp_path / "a.gif", start="1940-01-01")
    with pytest.raises(histmap.OptionError, match="must come after"):
        korea.render(tmp_path / "a.gif", start="1951-01-01", end="1950-12-01")
