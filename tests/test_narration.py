"""Narration: voice clips timed to the captions, the story waiting for them, the soundtrack in
the MP4 read back, bad clips refused, the narrator's script and a draft voice."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import imageio.v2 as imageio
import imageio_ffmpeg
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import histmap
from histmap._dates import to_day
from histmap.captions import caption_cues
from histmap.cli import main
from histmap.narration import find_clips
from histmap.timeline import VOICE_PAUSE, StoryEvent, story_schedule

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
RATE = 48_000
FPS = 8
# Two clips of the Korean War: a key event and one that does not hold without its voice.
CLIPS = {"north-korean-invasion.wav": (440, 2.0), "seoul-falls-1950.ogg": (660, 1.5)}
VIDEO = ["--size", "320x180", "--fps", str(FPS), "--duration", "8"]
SPAN = ["--from", "1950-06-25", "--to", "1950-09-30"]


def tone(path: Path, frequency: int, seconds: float, rate: int = RATE) -> Path:
    """A sine tone written by ffmpeg (its format from the extension)."""
    source = f"sine=frequency={frequency}:duration={seconds}:sample_rate={rate}"
    cmd = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", source, str(path)]
    subprocess.run(cmd, check=True)
    return path


@pytest.fixture(scope="module")
def voice(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("voice")
    for name, (frequency, seconds) in CLIPS.items():
        tone(folder / name, frequency, seconds)
    return folder


@pytest.fixture(scope="module")
def narrated(tmp_path_factory, voice) -> Path:
    out = tmp_path_factory.mktemp("narrated") / "war.mp4"
    args = ["render", "-o", str(out), *VIDEO, *SPAN, "--narration", str(voice), "--captions"]
    assert main([*args, "--quiet", "--workers", "1"]) == 0
    return out


def pcm(path: Path) -> np.ndarray:
    """The first audio track of ``path`` decoded to mono float samples at 48 kHz."""
    cmd = [FFMPEG, "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1"]
    cmd += ["-ar", str(RATE), "-f", "f32le", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def sounds(samples: np.ndarray, *, gap: float = 0.3) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch of sound, stretches apart by more than ``gap``."""
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    if not len(loud):
        return []
    breaks = np.flatnonzero(np.diff(loud) > gap * RATE)
    starts = [loud[0], *loud[breaks + 1]]
    ends = [*loud[breaks], loud[-1]]
    return [(s / RATE, e / RATE) for s, e in zip(starts, ends, strict=True)]


def vtt_starts(path: Path) -> dict[str, float]:
    """The start of each cue of a WebVTT file, by the cue's first line (the title)."""
    starts = {}
    for block in path.read_text().split("\n\n")[1:]:
        lines = block.strip().splitlines()
        h, m, s = lines[1].split(" --> ")[0].split(":")
        starts[lines[2]] = int(h) * 3600 + int(m) * 60 + float(s)
    return starts


def streams(path: Path) -> str:
    err = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    return err.stderr


# -- the video with its voice ------------------------------------------------------------------


def test_the_narrated_video_has_one_aac_track(narrated):
    info = streams(narrated)
    assert len(re.findall(r"Stream #0:\d.*Audio: aac", info)) == 1
    assert len(re.findall(r"Stream #0:\d.*Video: h264", info)) == 1


def test_each_clip_starts_with_its_caption(narrated, voice):
    korea = histmap.load_map()
    titles = {e.id: e.title for e in korea.data.events}
    cues = vtt_starts(narrated.with_suffix(".vtt"))
    heard = sounds(pcm(narrated))
    assert len(heard) == len(CLIPS)
    expected = sorted(
        (cues[titles[Path(name).stem]], seconds) for name, (_, seconds) in CLIPS.items()
    )
    for (start, end), (cue_start, seconds) in zip(heard, expected, strict=True):
        assert abs(start - cue_start) <= 1 / FPS  # within one frame of the caption
        assert end - start == pytest.approx(seconds, abs=0.05)


def test_the_story_holds_each_voiced_event_for_its_clip(voice):
    korea = histmap.load_map()
    plan = korea.plan(
        size=(320, 180),
        fps=FPS,
        duration=8,
        start="1950-06-25",
        end="1950-09-30",
        narration=voice,
    )
    schedule = plan.story.schedule
    clips, _ = find_clips(voice, [e.id for e in korea.data.events])
    for clip in clips:
        (window,) = [w for w in schedule.captions if plan.story.events[w.event].id == clip.event]
        day = to_day(plan.story.events[window.event].date)
        held = np.linspace(window.start, window.start + clip.seconds + VOICE_PAUSE - 1e-6, 50)
        assert np.allclose(schedule.day_at(held), day)  # the map waits for the voice
        assert window.end - window.start >= clip.seconds
    silent = korea.plan(size=(320, 180), fps=FPS, duration=8, start="1950-06-25", end="1950-09-30")
    assert silent.story.schedule.duration == 8  # no narration: today's pacing
    assert schedule.duration > 8


def test_the_video_is_as_long_as_the_pacing_says(narrated, voice):
    plan = histmap.load_map().plan(
        size=(320, 180),
        fps=FPS,
        duration=8,
        start="1950-06-25",
        end="1950-09-30",
        narration=voice,
    )
    with imageio.get_reader(narrated) as reader:
        frames = reader.count_frames()
    assert frames == len(plan.times) == round(plan.story.schedule.duration * FPS)
    samples = pcm(narrated)
    assert abs(len(samples) / RATE - frames / FPS) <= 1 / FPS
    assert np.abs(samples).max() < 0.99  # loudness normalised, no clipping


def test_the_voice_is_loudness_normalised(narrated):
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-i", str(narrated), "-map", "0:a"]
    summary = subprocess.run(
        [*cmd, "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True
    ).stderr.split("Summary:")[-1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    assert integrated == pytest.approx(-16, abs=1)  # EBU R128, as loud as spoken word online
    assert peak < -1  # no clipping


def test_captions_follow_the_new_pacing(narrated, voice):
    plan = histmap.load_map().plan(
        size=(320, 180),
        fps=FPS,
        duration=8,
        start="1950-06-25",
        end="1950-09-30",
        narration=voice,
    )
    written = vtt_starts(narrated.with_suffix(".vtt"))
    assert written == {
        c.text.splitlines()[0]: pytest.approx(c.start, abs=1e-3) for c in caption_cues(plan)
    }


def test_a_lesson_uses_the_map_folders_own_narration(tmp_path, tiny_map):
    (tiny_map / "narration").mkdir()
    tone(tiny_map / "narration" / "e1.flac", 500, 1.0)
    out = histmap.load_map(tiny_map).lesson(tmp_path / "lesson", size=(320, 180), workers=1)
    manifest = json.loads((out / "lesson.json").read_text())
    assert manifest["duration"] > 2  # the map's two seconds, and a second of voice
    (event,) = manifest["events"]
    (heard,) = sounds(pcm(out / manifest["files"]["video"]))
    assert abs(heard[0] - event["start"]) <= 1 / 10
    assert event["end"] - event["start"] >= 1.0
    page = (out / "index.html").read_text()
    assert f"[{event['start']}, " in page  # the page's own cues follow the pacing too
    assert "Audio" not in streams(out / manifest["files"]["gif"])  # the GIF stays silent
    # Drawn apart (the whole map), the GIF keeps the video's pacing, voice holds included.
    from PIL import Image, ImageSequence

    with Image.open(out / manifest["files"]["gif"]) as gif:
        seconds = sum(f.info["duration"] for f in ImageSequence.Iterator(gif)) / 1000
    assert seconds == pytest.approx(manifest["duration"], abs=0.15)


def test_a_failed_mux_leaves_the_earlier_video(tmp_path, voice, monkeypatch):
    import histmap.pipeline

    out = tmp_path / "war.mp4"
    out.write_bytes(b"an earlier video")

    def fail(*args, **kwargs):
        raise histmap.OutputError("disk full")

    monkeypatch.setattr(histmap.pipeline, "add_voice", fail)
    with pytest.raises(histmap.OutputError, match="disk full"):
        histmap.load_map().render(
            out, size=(320, 180), fps=4, duration=3, narration=voice, workers=1
        )
    assert out.read_bytes() == b"an earlier video"
    assert [p.name for p in tmp_path.iterdir()] == ["war.mp4"]  # no temporary file left


# -- the pacing, for any clips -----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    voices=st.lists(st.sampled_from([0.0, 0.0, 0.3, 2.0, 7.5, 30.0]), min_size=6, max_size=6),
    keys=st.lists(st.booleans(), min_size=6, max_size=6),
    pacing=st.sampled_from(["story", "calendar"]),
)
def test_voiced_events_hold_and_the_others_keep_their_pace(voices, keys, pacing):
    days = [0, 3, 3, 10, 40, 100]
    events = [StoryEvent(d, 12, k, v) for d, k, v in zip(days, keys, voices, strict=True)]
    plain = [StoryEvent(d, 12, k) for d, k in zip(days, keys, strict=True)]
    voiced = story_schedule(0, 100, [0, 50, 100], events, duration=20, pacing=pacing)
    silent = story_schedule(0, 100, [0, 50, 100], plain, duration=20, pacing=pacing)
    assert voiced.duration >= silent.duration == 20
    assert np.all(np.diff(voiced.times) >= -1e-9) and np.all(np.diff(voiced.days) >= 0)
    windows = {w.event: w for w in voiced.captions}
    for i, e in enumerate(events):
        if e.voice:
            w = windows[i]  # a voiced event always gets its caption
            held = np.linspace(w.start, w.start + e.voice + VOICE_PAUSE - 1e-6, 20)
            assert np.allclose(voiced.day_at(held), e.day)
            assert w.end - w.start >= e.voice
            later = [v for v in voiced.captions if v.start > w.start]
            assert all(v.start >= w.start + e.voice for v in later)  # nothing cuts the voice
    # The map moves as it did: only the holds grow.
    moving = np.diff(voiced.days) > 0
    assert np.diff(voiced.times)[moving].sum() == pytest.approx(
        np.diff(silent.times)[np.diff(silent.days) > 0].sum()
    )


# -- bad clips -----------------------------------------------------------------------------------


@pytest.fixture
def bad_voice(tmp_path) -> Path:
    folder = tmp_path / "voice"
    folder.mkdir()
    tone(folder / "north-korean-invasion.wav", 440, 1.0)  # a good one
    (folder / "inchon-landing.mp3").write_text("not audio at all")
    (folder / "taejon.wav").write_bytes(b"")
    tone(folder / "no-such-event.ogg", 440, 0.5)
    tone(folder / "pusan-breakout.flac", 440, 121, rate=8000)  # over two minutes
    (folder / "chosin.docx").write_text("a script")
    silence = [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "1"]
    subprocess.run([*silence, str(folder / "task-force-smith.wav")], check=True)
    tone(folder / "taejon.ogg", 440, 0.5)  # and taejon.wav: two clips of one event
    (folder / "script.md").write_text("# notes are fine")
    return folder


def test_check_refuses_bad_clips_naming_each_file(bad_voice, capsys):
    assert main(["check", "--narration", str(bad_voice)]) == 1
    out = capsys.readouterr().out
    for name, what in [
        ("inchon-landing.mp3", "not a readable audio file"),
        ("taejon.wav", "empty"),
        ("no-such-event.ogg", "no event has the id 'no-such-event'"),
        ("pusan-breakout.flac", "more than the 120 s"),
        ("chosin.docx", "not an audio clip"),
        ("taejon.ogg", "two clips for the event 'taejon'"),
        ("task-force-smith.wav", "silent"),
    ]:
        assert any(what in line for line in out.splitlines() if name in line), name
    assert "north-korean-invasion" not in out and "script.md" not in out
    assert "7 problem(s)" in out


def test_check_passes_good_clips(voice, capsys):
    assert main(["check", "--narration", str(voice)]) == 0
    assert "narration: 2 clip(s), 3.5 s" in capsys.readouterr().out


def test_render_refuses_bad_clips_and_writes_nothing(bad_voice, tmp_path, capsys):
    out = tmp_path / "war.mp4"
    assert main(["render", "-o", str(out), *VIDEO, "--narration", str(bad_voice), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "problem(s) in the narration" in err and "taejon.wav" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voice"]


def test_narration_that_is_not_a_folder_is_refused(tmp_path, capsys):
    assert main(["render", "-o", str(tmp_path / "a.mp4"), "--narration", "nowhere"]) == 2
    assert "'nowhere' is not a folder of audio clips" in capsys.readouterr().err


# -- the narrator's script and the draft voice ---------------------------------------------------

NARRATE = ["narrate", *SPAN, "--duration", "20", "--fps", str(FPS)]


def test_narrate_writes_the_script(tmp_path):
    out = tmp_path / "script"
    assert main([*NARRATE, "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["narration.json", "script.md"]
    script = (out / "script.md").read_text()
    plan = histmap.load_map().plan(fps=FPS, duration=20, start="1950-06-25", end="1950-09-30")
    cues = caption_cues(plan)
    assert script.count("\n## ") == len(cues) > 5
    for number, cue in enumerate(cues, start=1):
        section = script.split(f"\n## {number}. ")[1].split("\n## ")[0]
        assert section.startswith(cue.event.title)
        assert f"`{cue.event.id}.wav`" in section and cue.event.caption in section
        assert f"({cue.end - cue.start:.1f} s)" in section
    # Again: the earlier script is replaced; a folder with a recording is refused.
    assert main([*NARRATE, "-o", str(out)]) == 0
    tone(out / "inchon-landing.wav", 440, 0.5)
    assert main([*NARRATE, "-o", str(out)]) == 2
    assert (out / "inchon-landing.wav").exists()


def test_narrate_voice_speaks_each_caption(tmp_path):
    if shutil.which("espeak-ng") is None:
        if os.environ.get("HISTMAP_REQUIRE_VOICE") == "1":
            pytest.fail("espeak-ng is required here (HISTMAP_REQUIRE_VOICE=1) but not found")
        pytest.skip("no espeak-ng: apt-get install espeak-ng to test the draft voice")
    out = tmp_path / "draft"
    assert main([*NARRATE, "-o", str(out), "--voice", "--to", "1950-07-10"]) == 0
    clips, problems = find_clips(out, [e.id for e in histmap.load_map().data.events])
    assert problems == [] and len(clips) == (out / "script.md").read_text().count("\n## ")
    assert all(1.0 < c.seconds < 60 for c in clips)  # spoken captions, a few seconds each
    assert all(len(sounds(pcm(c.path), gap=2.0)) >= 1 for c in clips)


def test_narrate_voice_without_an_engine_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on it
    assert main([*NARRATE, "-o", str(tmp_path / "draft"), "--voice"]) == 2
    assert "apt-get install espeak-ng" in capsys.readouterr().err
    assert not (tmp_path / "draft").exists()


def test_a_map_loaded_in_french_speaks_from_its_french_narration(tiny_map):
    from histmap.options import RenderOptions
    from histmap.render import narration_clips

    (tiny_map / "narration" / "fr").mkdir(parents=True)
    tone(tiny_map / "narration" / "e1.flac", 500, 1.0)
    tone(tiny_map / "narration" / "fr" / "e1.flac", 500, 2.0)
    for lang, seconds in (("en", 1.0), ("fr", 2.0)):
        world = histmap.load_map(tiny_map, lang).world
        (clip,) = narration_clips(world, RenderOptions())
        assert clip.seconds == pytest.approx(seconds, abs=0.05), lang
