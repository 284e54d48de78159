"""Text from the data is drawn literally, fits its room in bounded time, and a font that
lacks some of its characters is said once, in one line."""

from __future__ import annotations

import json
import time
import warnings

import pytest
from conftest import write_tiny_map

import histmap
from histmap.cli import main
from histmap.draw import FrameRenderer
from histmap.draw.fonts import STRICT, missing_glyphs, quiet_glyph_warnings
from histmap.draw.layers.panel import LEGEND_TOP

DOLLARS = "Between $10 and $20 $x^$"


def edit_map(folder, *, title=None, subtitle=None, side_name=None, extra_sides=0, caption=None):
    """The tiny map with its texts changed in map.toml (and the event's caption)."""
    toml = (folder / "map.toml").read_text(encoding="utf-8")
    if title is not None:
        title = json.dumps(title, ensure_ascii=False)  # a TOML string too
        toml = toml.replace('title = "Tiny test map"', f"title = {title}")
    if subtitle is not None:
        toml = toml.replace('subtitle = "Two snapshots on Korea"', f'subtitle = """{subtitle}"""')
    if side_name is not None:
        toml = toml.replace('name = "North"', f'name = "{side_name}"')
    sides = "".join(
        f'\n[[sides]]\nid = "s{i}"\nname = "Side number {i}"\ncolour = "#{(i * 8) % 256:02x}8040"\n'
        for i in range(extra_sides)
    )
    toml = toml.replace("[timing]", sides + "\n[timing]")
    (folder / "map.toml").write_text(toml, encoding="utf-8")
    if caption is not None:
        events = folder / "events.geojson"
        events.write_text(events.read_text().replace("A test caption.", caption))
    return folder


def panel_texts(renderer) -> list[str]:
    texts = [t.get_text() for t in renderer.panel_ax.texts]
    legend = renderer.panel_ax.get_legend()
    return texts + [t.get_text() for t in legend.get_texts()]


def test_dollars_are_drawn_literally_not_as_mathtext(tmp_path):
    folder = edit_map(
        write_tiny_map(tmp_path / "m"), title=DOLLARS, side_name=DOLLARS, caption=DOLLARS
    )
    hmap = histmap.load_map(folder)
    for date in ("1950-06-28", "1950-07-10"):  # the list of main events, and a caption
        out = hmap.still(date, tmp_path / f"{date}.png", size=(640, 360))
        assert out.is_file()
    renderer = FrameRenderer(hmap.world, (1280, 720), layered=False)
    renderer.save(hmap.world.scene(hmap._day("1950-06-28")), tmp_path / "s.svg")
    texts = panel_texts(renderer)
    assert DOLLARS in texts  # the title and the side's name, as written
    assert all(not t.get_parse_math() for t in renderer.panel_ax.texts)
    assert all(not t.get_parse_math() for t in renderer.panel_ax.get_legend().get_texts())
    # A video frame with the event's caption: drawn, and literal.
    plan = hmap.plan(size=(320, 180), fps=4, duration=2)
    video = FrameRenderer(hmap.world, (320, 180), story=plan.story)
    for day, t in zip(plan.days, plan.times, strict=True):
        video.render(hmap.world.scene(float(day), t=float(t), story=plan.story))


def test_a_10000_character_title_is_fitted_in_a_few_seconds(tmp_path):
    title = ("A very long title " * 600)[:10_000]
    folder = edit_map(write_tiny_map(tmp_path / "m"), title=title, caption="word " * 3000)
    hmap = histmap.load_map(folder)
    start = time.perf_counter()
    out = hmap.still("1950-07-10", tmp_path / "s.png", size=(1280, 720))
    assert time.perf_counter() - start < 8 and out.is_file()
    renderer = FrameRenderer(hmap.world, (1280, 720), layered=False)
    renderer.render(hmap.world.scene(hmap._day("1950-07-10")))
    report = renderer.report()
    drawn = renderer.panel_ax.texts[0].get_text()
    assert drawn.endswith("…") and title.startswith(drawn[:-1].rstrip())
    assert report.heading["title"].x1 <= report.panel_box.x1
    # The caption keeps the lines that fit above the legend, the last cut with an ellipsis.
    caption = report.texts["caption"]
    assert caption.y0 >= report.legend_box.y1 - 1
    assert caption.y1 <= report.panel_box.y1


def test_a_title_and_subtitle_are_one_line_each(tmp_path):
    folder = edit_map(
        write_tiny_map(tmp_path / "m"), title="Two\nlines", subtitle="One\nTwo\nThree"
    )
    hmap = histmap.load_map(folder)
    assert hmap.title == "Two\nlines"
    renderer = FrameRenderer(hmap.world, (1280, 720), layered=False)
    renderer.render(hmap.world.scene(hmap._day("1950-07-10")))
    report = renderer.report()
    assert renderer.panel_ax.texts[0].get_text() == "Two lines"
    assert renderer.panel_ax.texts[1].get_text() == "One Two Three"
    assert report.heading["title"].y0 > report.heading["subtitle"].y1
    assert report.heading["subtitle"].y0 > report.texts["date"].y1


@pytest.mark.parametrize("size", [(1280, 720), (640, 360), (720, 720), (1080, 1920)])
def test_a_30_side_legend_stays_in_the_panel_below_the_title(tmp_path, size):
    folder = edit_map(write_tiny_map(tmp_path / "m"), extra_sides=28)
    hmap = histmap.load_map(folder)
    assert len(hmap.sides) == 30
    start = time.perf_counter()
    renderer = FrameRenderer(hmap.world, size, layered=False)
    renderer.render(hmap.world.scene(hmap._day("1950-07-10")))
    assert time.perf_counter() - start < 10
    report = renderer.report()
    legend, panel = report.legend_box, report.panel_box
    assert panel.x0 - 1 <= legend.x0 and legend.x1 <= panel.x1 + 1, size
    assert panel.y0 - 1 <= legend.y0 and legend.y1 <= panel.y1 + 1, size
    for box in (report.heading["title"], report.heading["subtitle"], report.texts["date"]):
        assert not legend.overlaps(box), size
    if size[0] / size[1] >= 1.2:  # beside the map: in the panel's lower part
        assert legend.y1 <= panel.y0 + LEGEND_TOP * panel.height + 1
    labels = [t.get_text() for t in renderer.panel_ax.get_legend().get_texts()]
    assert "Front line" in labels
    shown = [label for label in labels if label.startswith("Side number")]
    more = [label for label in labels if label.startswith("+")]
    assert len(shown) == 28 or more == [f"+{28 - len(shown)} more sides"], labels


def test_the_usual_legend_is_unchanged(korea):
    renderer = FrameRenderer(korea.world, (1280, 720), layered=False)
    legend = renderer.panel_ax.get_legend()
    assert legend._ncols == 1 and not any(t.get_text().startswith("+") for t in legend.get_texts())


def test_missing_glyphs_are_said_once_in_one_line(tmp_path, capsys, monkeypatch):
    # Thai and emoji: in neither DejaVu Sans nor the Korean fallback. Drawn as boxes, said
    # once (the suite makes a missing glyph an error elsewhere: not here).
    monkeypatch.delenv(STRICT, raising=False)
    folder = edit_map(write_tiny_map(tmp_path / "m"), title="กข 전쟁", side_name="North 🦖")
    assert missing_glyphs(["한국 ก a b", "🦖"], "DejaVu Sans") == ["ก", "🦖"]
    assert missing_glyphs(["Ελλάδα Россия Café – ‘’"], "DejaVu Sans") == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["still", "1950-07-10", str(folder), "-o", str(tmp_path / "s.png")]) == 0
    assert not [w for w in caught if "missing from font" in str(w.message)]
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "glyph" in line.lower()]
    assert len(lines) == 1, err
    assert "ก ข 🦖" in lines[0] and "[theme] font" in lines[0]
    assert main(["check", str(folder)]) == 0
    assert "has no glyph for 3 character(s)" in capsys.readouterr().out
    # The API gives it once, as a HistmapWarning, and none of matplotlib's.
    hmap = histmap.load_map(folder)
    assert "ก" in str(hmap.text_warnings[0]) and "전" not in str(hmap.text_warnings[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for date in ("1950-07-10", "1950-07-20"):
            hmap.still(date, tmp_path / f"{date}.png", size=(320, 180))
    assert [w.category for w in caught] == [histmap.HistmapWarning]
    assert histmap.load_map("korean_war").text_warnings == []


def test_quiet_glyph_warnings_silences_only_those(monkeypatch):
    monkeypatch.delenv(STRICT, raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_glyph_warnings():
            warnings.warn(
                "Glyph 54620 (\\N{HANGUL SYLLABLE HAN}) missing from font(s) X.", stacklevel=1
            )
            warnings.warn("something else", stacklevel=1)
    assert [str(w.message) for w in caught] == ["something else"]


@pytest.mark.parametrize("lang", ["en", "fr", "ko"])
@pytest.mark.parametrize("size", [(1280, 720), (640, 360)])
def test_a_long_list_of_main_events_clears_the_legend(lang, size):
    # 28 November 1950: eight main events since the last page, their titles wrapped.
    hmap = histmap.load_map("korean_war", lang)
    renderer = FrameRenderer(hmap.world, size, layered=False)
    renderer.render(hmap.world.scene(hmap._day("1950-11-28")))
    report = renderer.report()
    listed = report.texts["caption"]
    assert len(renderer.world.scene(hmap._day("1950-11-28")).main_events) == 8
    assert listed.y0 >= report.legend_box.y1 - 1, (lang, size)
    assert listed.y1 <= report.panel_box.y1
