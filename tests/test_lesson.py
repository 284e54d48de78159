"""Lesson export: files, cue timing, safety, and the page in a real browser (headless Chromium)."""

import datetime as dt
import functools
import http.server
import itertools
import json
import os
import shutil
import threading
from pathlib import Path

import imageio.v2 as imageio
import pytest

import histmap
from histmap.captions import caption_cues, srt, webvtt
from histmap.cli import main
from histmap.lesson import safe_name

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("HISTMAP_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="module")
def lesson_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lesson") / "korea"
    code = main(
        [
            "lesson",
            "-o",
            str(out),
            "--size",
            "480x270",
            "--fps",
            "8",
            "--duration",
            "20",
            "--from",
            "1950-06-25",
            "--to",
            "1950-12-31",
            "--quiet",
        ]
    )
    assert code == 0
    return out


def test_lesson_folder_holds_every_file(lesson_dir):
    names = {p.name for p in lesson_dir.iterdir()}
    assert {
        "korean-war.mp4",
        "korean-war.gif",
        "poster.png",
        "captions.vtt",
        "captions.srt",
        "chapters.vtt",
        "index.html",
        "lesson.json",
        "stills",
    } <= names
    stills = sorted((lesson_dir / "stills").iterdir())
    assert len(stills) >= 5 and all(p.suffix == ".png" for p in stills)
    manifest = json.loads((lesson_dir / "lesson.json").read_text())
    assert manifest["title"] == "The Korean War" and manifest["duration"] == 20
    assert manifest["files"]["video"] == "korean-war.mp4"
    assert all(e["start"] < e["end"] for e in manifest["events"])
    with imageio.get_reader(lesson_dir / "korean-war.mp4") as reader:
        assert reader.count_frames() == 160
    with open(lesson_dir / "korean-war.mp4", "rb") as f:
        head = f.read(4096)
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head  # +faststart


def test_lesson_holds_the_interactive_player(lesson_dir):
    from histmap.lesson import refuse_foreign_files

    manifest = json.loads((lesson_dir / "lesson.json").read_text())
    assert {"player/player.js", "player/data.js", "player/leaflet.js"} <= set(manifest["files"])
    assert all((lesson_dir / f).is_file() for f in manifest["files"].values())
    assert (lesson_dir / "index.html").read_text().count('id="histmap-player"') == 1
    refuse_foreign_files(lesson_dir)  # a lesson with its player may be written over


def test_the_player_covers_the_lessons_span(lesson_dir):
    text = (lesson_dir / "player" / "data.js").read_text()
    data = json.loads(text[text.index("=") + 1 : text.rindex(";")])
    first, last = dt.date(1950, 6, 25).toordinal(), dt.date(1950, 12, 31).toordinal()
    assert (data["start"], data["end"]) == (first, last)
    assert data["events"] and all(e["start"] <= last for e in data["events"])
    assert all(first <= p["start"] <= p["end"] <= last for p in data["phases"])
    # The keyframes it morphs between, and none beyond.
    days = [k["day"] for k in data["keyframes"]]
    assert days[0] <= first and days[-1] >= last
    assert sum(d < first for d in days) <= 1 and sum(d > last for d in days) <= 1
    # The camera's views, within the span too.
    assert data["camera"] and all(first <= k[0] <= last for k in data["camera"])


def test_poster_and_stills_are_drawn_at_the_video_size(lesson_dir):
    from PIL import Image

    for path in [lesson_dir / "poster.png", *(lesson_dir / "stills").iterdir()]:
        with Image.open(path) as image:
            assert image.size == (480, 270)


def test_cues_are_timed_to_the_captions_on_screen(korea):
    plan = korea.plan(size=(320, 180), fps=10, duration=30)
    cues = caption_cues(plan)
    assert len(cues) > 10
    schedule = plan.story.schedule
    for cue in cues:
        for t in (cue.start + 0.01, (cue.start + cue.end) / 2, cue.end - 0.01):
            shown = schedule.caption_at(t)
            assert shown is not None and plan.story.events[shown[0]] is cue.event
    for a, b in itertools.pairwise(cues):
        assert a.end <= b.start + 1e-9


def test_vtt_and_srt_have_the_same_cues(korea):
    plan = korea.plan(size=(320, 180), fps=10, duration=30)
    cues = caption_cues(plan)
    vtt, sub = webvtt(cues), srt(cues)
    assert vtt.startswith("WEBVTT") and vtt.count(" --> ") == sub.count(" --> ") == len(cues)
    assert "00:00:" in sub and "," in sub.split(" --> ")[0]


def test_file_names_from_data_cannot_escape():
    assert safe_name("../../x") == "x" and "/" not in safe_name("a/b\\c")
    assert safe_name("") == "item"


def test_render_captions_writes_vtt_beside_the_video(tmp_path):
    out = tmp_path / "war.mp4"
    assert (
        main(
            [
                "render",
                "-o",
                str(out),
                "--size",
                "320x180",
                "--fps",
                "4",
                "--duration",
                "6",
                "--captions",
                "--quiet",
            ]
        )
        == 0
    )
    vtt = (tmp_path / "war.vtt").read_text()
    assert vtt.startswith("WEBVTT") and " --> " in vtt


def test_data_text_is_escaped_in_the_page(tmp_path, tiny_map):
    events = json.loads((tiny_map / "events.geojson").read_text())
    events["features"][0]["properties"]["caption"] = '<script>alert("x")</script> "quoted"'
    events["features"][0]["properties"]["key"] = True
    events["features"][0]["properties"]["id"] = "../../evil"
    (tiny_map / "events.geojson").write_text(json.dumps(events))
    out = histmap.load_map(tiny_map).lesson(
        tmp_path / "lesson", size=(320, 180), fps=4, duration=4, workers=1
    )
    page = (out / "index.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    assert [p.name for p in (out / "stills").iterdir()] == ["01-evil.png"]


# -- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if REQUIRE_BROWSER:
            pytest.fail("Chromium is required here (HISTMAP_REQUIRE_BROWSER=1) but not found")
        pytest.skip("no Chromium: install Debian's chromium to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRE_BROWSER:
            raise
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static server with byte ranges, as every real web server has (video seeking needs it)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        spec = self.headers.get("Range", "")
        path = Path(self.translate_path(self.path))
        if not spec.startswith("bytes=") or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, _, last = spec[6:].partition("-")
        start = int(first or 0)
        end = min(int(last) if last else size - 1, size - 1)
        f = open(path, "rb")  # noqa: SIM115 (closed by copyfile's caller)
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Limited(f, end - start + 1)


class _Limited:
    def __init__(self, f, n):
        self.f, self.n = f, n

    def read(self, size=-1):
        size = self.n if size < 0 else min(size, self.n)
        data = self.f.read(size)
        self.n -= len(data)
        return data

    def close(self):
        self.f.close()


@pytest.fixture(scope="module")
def served(lesson_dir):
    handler = functools.partial(RangeHandler, directory=lesson_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("how", ["file", "http"])
def test_page_in_chromium(browser, served, lesson_dir, tmp_path, how):
    """The page works opened from disk (a double-click: file://) and from a web server."""
    base = lesson_dir.resolve().as_uri() if how == "file" else served
    page = browser.new_page()
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # (blob: URLs are the page's own: the player's decoding workers start from them.)
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None
        ),
    )
    page.goto(f"{base}/index.html")
    page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=20000)
    duration = page.evaluate("document.getElementById('video').duration")
    assert abs(duration - 20.0) <= 1 / 8 + 1e-3
    page.wait_for_function(
        "document.getElementById('video').textTracks[0].cues && "
        "document.getElementById('video').textTracks[0].cues.length > 0",
        timeout=20000,
    )
    tracks = page.evaluate("""() => [...document.getElementById('video').textTracks].map(t =>
        ({kind: t.kind, mode: t.mode, n: t.cues.length, first: t.cues[0].text,
          starts: [...t.cues].map(c => c.startTime)}))""")
    manifest = json.loads((lesson_dir / "lesson.json").read_text())
    track, chapters = tracks
    assert track["kind"] == "captions" and track["mode"] == "showing"
    assert track["n"] == len(manifest["events"])
    assert track["first"].startswith(manifest["events"][0]["title"])
    assert chapters["kind"] == "chapters" and chapters["n"] == len(manifest["chapters"])
    assert chapters["starts"] == pytest.approx([c["start"] for c in manifest["chapters"]])
    assert page.locator("ol.chapters button").count() == len(manifest["chapters"])
    chapter = manifest["chapters"][3]
    button = page.locator("ol.chapters button").nth(3)
    button.focus()
    page.keyboard.press("Enter")  # keyboard-usable
    _wait_for_time(page, chapter["start"])
    watch = page.locator(".events button[data-start]").nth(1)
    watch.click()  # an event's "watch at" button seeks too
    _wait_for_time(page, float(watch.get_attribute("data-start")))
    page.wait_for_function("window.histmap && window.histmap.date() === '1950-06-25'")
    alts = page.evaluate("[...document.images].map(i => i.alt)")
    assert alts and all(alts)
    loaded = page.evaluate(
        "Promise.all([...document.images].map(i => i.decode().then(() => i.naturalWidth)))"
    )
    assert all(w > 0 for w in loaded)  # the stills load with no server too
    page.screenshot(path=str(tmp_path / "lesson.png"), full_page=False)
    assert (tmp_path / "lesson.png").stat().st_size > 10_000
    assert errors == [] and outside == []
    page.close()


def _wait_for_time(page, seconds: float) -> None:
    page.wait_for_function(
        f"Math.abs(document.getElementById('video').currentTime - {seconds}) < 0.05",
        timeout=10000,
    )
