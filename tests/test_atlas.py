"""Atlas pages: the series, its events, the badges on its stills, and the pages in Chromium."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from test_lesson import browser  # noqa: F401 (the fixture)

import histmap
from histmap._dates import to_day
from histmap.atlas import plan_pages
from histmap.cli import main
from histmap.draw import FrameRenderer

DATES = ["1950-06-30", "1950-09-30", "1950-12-31"]


@pytest.fixture(scope="module")
def atlas_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("atlas") / "korea"
    args = ["atlas", "korean_war", "-o", str(out), "--dates", ",".join(DATES)]
    assert main([*args, "--size", "640x360", "--quiet"]) == 0
    return out


def test_one_page_per_date_with_its_still(atlas_dir):
    manifest = json.loads((atlas_dir / "atlas.json").read_text())
    assert [p["date"] for p in manifest["pages"]] == DATES
    for page in manifest["pages"]:
        assert (atlas_dir / page["file"]).is_file()
        for ext in ("png", "svg", "pdf"):
            assert (atlas_dir / "stills" / f"{page['date']}.{ext}").stat().st_size > 1000
    text = (atlas_dir / "1950-09-30.html").read_text()
    assert "<h1>Korea 1950.0930</h1>" in text and "Main events" in text


def test_pages_list_the_key_events_since_the_previous_page(atlas_dir, korea):
    manifest = json.loads((atlas_dir / "atlas.json").read_text())
    previous = None
    for page in manifest["pages"]:
        expected = [
            e.id
            for e in korea.data.events
            if e.key and (previous or "") < str(e.date) <= page["date"]
        ][-8:]
        assert [e["id"] for e in page["events"]] == expected and expected
        html = (atlas_dir / page["file"]).read_text()
        titles = re.findall(r'<span class="num">(\d+)</span>([^<]*)</h3>', html)
        by_id = {e.id: e for e in korea.data.events}
        assert titles == [
            (str(n), by_id[i].title.replace("'", "&#x27;"))
            for n, i in enumerate(expected, start=1)
        ]
        previous = page["date"]


def test_badges_on_the_still_match_the_list(atlas_dir):
    manifest = json.loads((atlas_dir / "atlas.json").read_text())
    for page in manifest["pages"]:
        assert [b["number"] for b in page["badges"]] == [e["number"] for e in page["events"]]


def test_badges_overlap_neither_each_other_nor_labels(korea, tmp_path):
    """A crowded still: eight numbered events round Seoul and the 38th parallel."""
    world = korea.world
    chosen = world.story.since(to_day("1950-06-24"), to_day("1950-11-24"))
    scene = world.scene(to_day("1950-11-24"), events=chosen)
    renderer = FrameRenderer(world, (640, 360), layered=False)
    renderer.save(scene, tmp_path / "crowded.png")
    report = renderer.report()
    assert [n for n, _ in report.badges] == list(range(1, len(chosen) + 1))
    assert [e.id for e in scene.main_events] == [world.story.events[i].id for i in chosen]
    boxes = [box for _, box in report.badges]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    assert not any(b.overlaps(label) for b in boxes for label in report.label_boxes)
    assert all(report.map_box.contains(b.x0, b.y0) and report.map_box.contains(b.x1, b.y1)
               for b in boxes)


def test_still_events_since_makes_the_same_choice(korea, tmp_path):
    pages = plan_pages(korea.world, DATES)
    assert korea.events_since(DATES[0], DATES[1]) == list(pages[1].events)
    assert korea.events_since(korea.span[0], DATES[0]) == list(pages[0].events)
    out = tmp_path / "still.png"
    args = ["still", DATES[1], "-o", str(out), "--size", "320x180", "--events-since", DATES[0]]
    assert main(args) == 0 and out.stat().st_size > 1000
    with pytest.raises(histmap.OptionError):
        korea.events_since(DATES[1], DATES[0])


def test_soviet_view_page_of_25_january_1951():
    hmap = histmap.load_map("soviet_view_1951")
    pages = {str(p.date): p for p in plan_pages(hmap.world)}
    page = pages["1951-01-25"]
    assert page.title == "Soviet Union 1951.0125"
    ids = [hmap.world.story.events[i].id for i in page.events]
    assert ids == ["etr-dissolved", "korea-invasion", "inchon", "china-intervenes"]
    assert "MiG-15" in page.intro and 3 <= page.intro.count(". ") + 1 <= 5
    assert 6 <= len(plan_pages(histmap.load_map("korean_war").world)) <= 8


def test_data_text_is_escaped_and_dates_outside_the_span_refused(tiny_map, tmp_path):
    toml = (tiny_map / "map.toml").read_text()
    toml = toml.replace('title = "Tiny test map"', 'title = "<b>Tiny</b>"')
    toml += '\n[[pages]]\ndate = "1950-07-01"\nintro = "<script>alert(1)</script>"\n'
    (tiny_map / "map.toml").write_text(toml)
    hmap = histmap.load_map(tiny_map)
    with pytest.raises(histmap.OptionError, match="outside the map's span"):
        hmap.atlas(tmp_path / "bad", size=(320, 180), dates=["1960-01-01"])
    assert not (tmp_path / "bad").exists()
    out = hmap.atlas(tmp_path / "atlas", size=(320, 180))
    page = (out / "1950-07-01.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Tiny&lt;/b&gt; 1950.0701" in page
    (out / "mine.txt").write_text("mine")
    with pytest.raises(histmap.OutputError, match="not an earlier histmap atlas"):
        hmap.atlas(tmp_path / "atlas", size=(320, 180))
    with pytest.raises(histmap.OutputError, match="inside the map folder"):
        hmap.atlas(tiny_map / "atlas", size=(320, 180))


def test_pages_in_chromium_from_file(browser, atlas_dir, tmp_path):  # noqa: F811
    page = browser.new_page()
    errors, outside = [], []
    root = atlas_dir.resolve().as_uri()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    inside = (root, "data:")
    page.on("request", lambda r: None if r.url.startswith(inside) else outside.append(r.url))
    page.goto(f"{root}/index.html")
    assert page.locator(".timeline a").count() == len(DATES)
    page.locator(".timeline a").first.click()
    seen = []
    for n, date in enumerate(DATES):
        page.wait_for_url(f"**/{date}.html")
        seen.append(page.locator("h1").inner_text())
        assert page.evaluate("document.images[0].complete && document.images[0].naturalWidth") > 0
        assert page.locator("a[rel=prev]").count() == (2 if n > 0 else 0)  # header, footer
        if n == 1:
            page.screenshot(path=str(tmp_path / "atlas-page.png"), full_page=True)
        if n + 1 < len(DATES):
            page.locator("header a[rel=next]").click()
    assert page.locator("a[rel=next]").count() == 0
    for date in reversed(DATES[:-1]):
        page.locator("header a[rel=prev]").click()
        page.wait_for_url(f"**/{date}.html")
    assert seen == [f"Korea {d[:4]}.{d[5:7]}{d[8:]}" for d in DATES]
    assert (tmp_path / "atlas-page.png").stat().st_size > 20_000
    assert errors == [] and outside == []
    page.close()
