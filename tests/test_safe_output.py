"""No command ever destroys a good output: interrupted, killed, out of disk, or misdirected."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_tiny_map
from PIL import Image

from histmap import encode
from histmap.cli import main
from histmap.outputs import make_folder_beside, output_lock, remove_stale, stale_temporaries

SMALL = ["--size", "160x96", "--quiet"]
STILL = ["--size", "160x96"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, Path, bytes]:
    """The tiny map and a good earlier render of it, x.mp4."""
    root = tmp_path_factory.mktemp("safe")
    folder = write_tiny_map(root / "tiny")
    out = root / "x.mp4"
    assert main(["render", str(folder), "-o", str(out), "--workers", "1", *SMALL]) == 0
    return folder, out, out.read_bytes()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def default_interrupt() -> None:
    """In the child: Ctrl-C as a terminal gives it, even if this test runs where SIGINT is
    ignored (a shell's background job ignores it, and a child inherits that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_long_render(folder: Path, out: Path, workers: str) -> subprocess.Popen:
    """A render long enough to interrupt, stopped once its temporary output exists."""
    cmd = [sys.executable, "-m", "histmap.cli", "render", str(folder), "-o", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--duration", "60", "--workers", workers, *SMALL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=default_interrupt,
    )
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(f".{out.stem}.????????{out.suffix}")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the render never started writing"
        time.sleep(0.05)
    time.sleep(0.3)  # a few frames into the temporary file
    return proc


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_keeps_the_earlier_output_and_leaves_no_temporary_file(rendered, workers):
    folder, out, before = rendered
    proc = start_long_render(folder, out, workers)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"interrupted: no output was changed" in err and b"Traceback" not in err
    assert out.read_bytes() == before
    assert leftovers(out.parent) == []


def test_sigterm_is_handled_like_ctrl_c(rendered):
    folder, out, before = rendered
    proc = start_long_render(folder, out, "1")
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert out.read_bytes() == before
    assert leftovers(out.parent) == []


def test_a_killed_render_keeps_the_earlier_output(rendered):
    folder, out, before = rendered
    proc = start_long_render(folder, out, "1")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert out.read_bytes() == before
    # SIGKILL cannot be caught: the temporary file may stay (documented); remove it.
    for name in leftovers(out.parent):
        (out.parent / name).unlink()


def test_what_a_killed_render_left_goes_with_the_next_render(rendered, tmp_path, capsys):
    """``kill -9`` cannot be caught: the next render of the same output removes the hidden
    temporary file (and lock) the killed one left, and nothing else."""
    folder, _, _ = rendered
    out = tmp_path / "x.gif"
    proc = start_long_render(folder, out, "1")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    left = leftovers(tmp_path)
    assert ".x.gif.lock" in left and any(n.endswith(".gif") for n in left), left
    lookalikes = [".x.notours.gif", ".x.abcdefgh.mp4", ".y.abcdefgh.gif", ".x.abcdefgh.gif.bak"]
    for name in lookalikes:
        (tmp_path / name).write_text("the user's own")
    assert main(["render", str(folder), "-o", str(out), "--workers", "1", *SMALL]) == 0
    assert leftovers(tmp_path) == sorted(lookalikes)
    with Image.open(out) as gif:
        assert gif.n_frames > 1


def test_a_second_writer_of_one_video_is_refused(rendered, tmp_path, capsys):
    folder, _, _ = rendered
    out = tmp_path / "x.gif"
    with output_lock(tmp_path / ".x.gif.lock", "x.gif"):
        assert main(["render", str(folder), "-o", str(out), "--workers", "1", *SMALL]) == 2
    assert f"another histmap is writing '{out}'" in capsys.readouterr().err
    assert not out.exists()


def test_stale_temporaries_are_histmaps_own_only(tmp_path):
    ours = [".war.abcd_123.tmp", ".war.0a1b2c3d.old"]  # folders built, or set aside
    theirs = [".war.abc.tmp", ".war.abcdefgh.tmp.keep", ".warx.abcdefgh.tmp", ".war.ABCDEFGH.tmp"]
    for name in ours + theirs:
        (tmp_path / name).mkdir()
    (tmp_path / ".war.abcdefgh.tmp").symlink_to(tmp_path / theirs[0])
    (tmp_path / ".war.zzzzzzzz.tmp").write_text("a file, not a folder histmap built")
    assert [p.name for p in stale_temporaries(tmp_path / "war")] == sorted(ours)
    files = [".k.abcdefgh.gif", ".k.palette.q1w2e3r4.png"]
    for name in [*files, ".k.abcdefgh.png", ".k.palette.abc.png", "k.abcdefgh.gif"]:
        (tmp_path / name).write_text("")
    assert [p.name for p in remove_stale(tmp_path / "k.gif")] == sorted(files)
    assert [p.name for p in stale_temporaries(tmp_path / "k.mp4")] == []
    assert not any((tmp_path / name).exists() for name in files)
    assert (tmp_path / ".k.abcdefgh.png").exists() and (tmp_path / theirs[0]).is_dir()


def test_what_a_killed_still_or_captions_left_goes_with_the_next_run(rendered, tmp_path):
    """A still's and a video's captions' temporaries (``kill -9`` while they were written)
    go with the next still or render of the same file; the user's look-alikes stay."""
    folder, _, _ = rendered
    stale = [".s.abcdefgh.png", ".s.q1w2e3r4.svg", ".v.abcdefgh.vtt", ".v.zyxw9876.mp4"]
    theirs = [".s.abc.png", ".s.abcdefgh.png.keep", ".t.abcdefgh.png"]
    for name in stale + theirs:
        (tmp_path / name).write_text("half written")
    assert main(["still", "1950-07-01", str(folder), "-o", str(tmp_path / "s.png"), *STILL]) == 0
    assert main(["still", "1950-07-01", str(folder), "-o", str(tmp_path / "s.svg"), *STILL]) == 0
    args = ["--captions", "--workers", "1", "--fps", "2", "--duration", "2", *SMALL]
    assert main(["render", str(folder), "-o", str(tmp_path / "v.mp4"), *args]) == 0
    assert leftovers(tmp_path) == sorted(theirs)
    assert (tmp_path / "v.vtt").read_text().startswith("WEBVTT")


def test_a_still_being_written_is_not_written_twice(rendered, tmp_path, capsys):
    folder, _, _ = rendered
    out = tmp_path / "s.png"
    with output_lock(tmp_path / ".s.png.lock", "s.png"):
        assert main(["still", "1950-07-01", str(folder), "-o", str(out), *STILL]) == 2
    assert f"another histmap is writing '{out}'" in capsys.readouterr().err
    assert not out.exists()


def test_a_killed_lesson_and_frames_leave_nothing_after_the_next_run(rendered, tmp_path):
    """What a killed build of PNG frames or of a lesson left (its hidden folders beside the
    output) goes with the next run that holds the lock."""
    folder, _, _ = rendered
    frames, lesson = tmp_path / "frames", tmp_path / "lesson"
    frames.mkdir()
    stale = [
        make_folder_beside(frames / "tiny"),
        frames / ".tiny.0a1b2c3d.old",
        make_folder_beside(lesson),
        tmp_path / ".lesson.0a1b2c3d.old",
    ]
    for path in stale:
        path.mkdir(exist_ok=True)
        (path / "tiny_00001.png").write_bytes(b"half written")
    args = ["--workers", "1", "--fps", "2", "--duration", "2", *SMALL]
    assert main(["render", str(folder), "-o", str(frames), *args]) == 0
    assert main(["lesson", str(folder), "-o", str(lesson), *args]) == 0
    assert not any(path.exists() for path in stale)
    assert leftovers(frames) == [] and leftovers(tmp_path) == []


def test_a_full_disk_keeps_the_earlier_output(rendered, monkeypatch, capsys):
    folder, out, before = rendered
    calls = []
    write = encode.Mp4Writer._write

    def full(self, frame):
        calls.append(1)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.tmp))
        write(self, frame)

    monkeypatch.setattr(encode.Mp4Writer, "_write", full)
    assert main(["render", str(folder), "-o", str(out), "--workers", "1", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert out.read_bytes() == before
    assert leftovers(out.parent) == []


def test_a_missing_or_read_only_folder_is_refused_before_rendering(rendered, tmp_path, capsys):
    folder, _, _ = rendered
    code = main(["render", str(folder), "-o", str(tmp_path / "nope" / "x.mp4"), *SMALL])
    assert code == 2
    assert "the folder" in capsys.readouterr().err
    assert main(["render", str(folder), "-o", str(folder / "map.toml"), *SMALL]) == 2
    assert "cannot write '.toml'" in capsys.readouterr().err
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["render", str(folder), "-o", str(locked / "x.gif"), *SMALL]) == 2
        assert "is not writable" in capsys.readouterr().err


def test_png_frames_replace_the_earlier_set_and_say_so(rendered, tmp_path, capsys):
    folder, _, _ = rendered
    frames = tmp_path / "frames"
    args = ["render", str(folder), "-o", str(frames), "--workers", "1", *SMALL]
    assert main([*args, "--fps", "6"]) == 0
    first = sorted(p.name for p in frames.iterdir())
    assert "replaced" not in capsys.readouterr().out
    (frames / "other_00001.png").write_bytes(b"not ours")
    assert main([*args, "--fps", "3"]) == 0
    assert f"replaced {len(first)} frames of an earlier render" in capsys.readouterr().out
    names = sorted(p.name for p in frames.iterdir())
    assert names == ["other_00001.png", *first[: len(first) // 2]]


# -- folders replaced whole, one writer at a time ---------------------------------------------


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def start_cli(args: list[str], ready) -> subprocess.Popen:
    """``histmap ARGS`` in a real process, returned once ``ready()`` is true."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "histmap.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=default_interrupt,
    )
    deadline = time.monotonic() + 30
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the command never got going"
        time.sleep(0.05)
    return proc


def test_png_frames_two_writers_and_sigterm(rendered, tmp_path, capsys):
    """A second render of the same frames is refused while the first runs; SIGTERM during
    the frames keeps the earlier set and leaves no temporary file, folder or lock."""
    folder, _, _ = rendered
    frames = tmp_path / "frames"
    args = ["render", str(folder), "-o", str(frames), "--workers", "1", *SMALL]
    assert main([*args, "--fps", "6"]) == 0
    before = contents(frames)
    (frames / "mine.txt").write_text("the user's own")
    before["mine.txt"] = b"the user's own"
    proc = start_cli(
        [*args, "--duration", "60"], lambda: len(list(frames.glob(".tiny.*.tmp/*.png"))) >= 2
    )
    try:
        assert main([*args, "--fps", "3"]) == 2
        err = capsys.readouterr().err
        assert "another histmap is writing the frames tiny_NNNNN.png" in err
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert b"terminated: no output was changed" in err and b"Traceback" not in err
    assert contents(frames) == before
    assert sorted(p.name for p in frames.iterdir() if p.name.startswith(".")) == []


def test_png_frames_are_not_deleted_first(rendered, tmp_path, capsys):
    """Something in the way of the new set: refused, with every earlier frame kept."""
    folder, _, _ = rendered
    frames = tmp_path / "frames"
    args = ["render", str(folder), "-o", str(frames), "--workers", "1", *SMALL, "--fps", "6"]
    assert main(args) == 0
    (frames / "tiny_00005.png").unlink()
    (frames / "tiny_00005.png").mkdir()  # not a frame: nothing may be deleted for it
    before = contents(frames)
    assert main(args) == 2
    assert "tiny_00005.png' is not a frame histmap wrote" in capsys.readouterr().err
    assert contents(frames) == before
    assert sorted(p.name for p in frames.iterdir() if p.name.startswith(".")) == []


def lesson_args(folder: Path, out: Path) -> list[str]:
    return ["lesson", str(folder), "-o", str(out), "--workers", "1", "--fps", "4", *SMALL]


def test_lesson_never_deletes_files_it_did_not_write(rendered, tmp_path, capsys):
    folder, _, _ = rendered
    out = tmp_path / "lesson"
    (out / "stills").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes")
    (out / "stills" / "mine.png").write_bytes(b"my own picture")
    before = contents(out)
    assert main([*lesson_args(folder, out), "--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert "holds files that are not an earlier histmap lesson" in err
    assert "notes.txt" in err and "stills/mine.png" in err
    assert contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson"]


def test_a_lesson_never_replaces_the_folder_it_runs_in(rendered, tmp_path, monkeypatch, capsys):
    folder, _, _ = rendered
    monkeypatch.chdir(tmp_path)
    for out in (".", ".."):
        assert main(lesson_args(folder, Path(out))) == 2
        assert "holds the folder histmap runs in" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_lesson_keeps_the_earlier_one(rendered, tmp_path, capsys):
    folder, _, _ = rendered
    out = tmp_path / "lesson"
    assert main([*lesson_args(folder, out), "--duration", "1"]) == 0
    (out / ".DS_Store").write_bytes(b"the Finder's")  # system files do not stop a new lesson
    before = contents(out)
    proc = start_cli(
        [*lesson_args(folder, out), "--duration", "60"],
        lambda: list(tmp_path.glob(".lesson.*.tmp/.tiny.*.mp4")),
    )
    time.sleep(0.3)
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert b"terminated: no output was changed" in err and b"Traceback" not in err
    assert contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson"]  # no temporary folder, no lock
    # Run again to the end, the lesson is replaced whole.
    assert main([*lesson_args(folder, out), "--duration", "2"]) == 0
    manifest = json.loads((out / "lesson.json").read_text())
    assert manifest["duration"] == 2 and not (out / ".DS_Store").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson"]


# -- never inside the map being read ----------------------------------------------------------


def test_outputs_inside_the_map_folder_are_refused(rendered, capsys):
    folder, _, _ = rendered
    before = contents(folder)
    for args in (
        ["render", str(folder), "-o", str(folder / "x.mp4")],
        ["render", str(folder), "-o", str(folder / "snapshots" / ".." / "frames")],
        ["render", str(folder), "-o", str(folder)],
        ["lesson", str(folder), "-o", str(folder)],
        ["lesson", str(folder), "-o", str(folder / "lesson")],
        ["still", "1950-07-01", str(folder), "-o", str(folder / "x.png")],
    ):
        assert main([*args, "--size", "160x96"]) == 2, args
        err = capsys.readouterr().err
        assert f"is inside the map folder '{folder}', which histmap reads" in err, args
    assert contents(folder) == before
    assert not (folder / "frames").exists() and not (folder / "lesson").exists()


def test_outputs_among_the_built_in_maps_are_refused(rendered, capsys):
    from histmap.loader import data_root

    folder, _, _ = rendered
    for args in (
        ["render", str(folder), "-o", str(data_root() / "x.mp4")],
        ["still", "1950-07-01", "korean_war", "-o", str(data_root() / "korean_war" / "x.png")],
    ):
        assert main([*args, "--size", "160x96"]) == 2, args
        assert "which histmap reads" in capsys.readouterr().err
    assert not (data_root() / "x.mp4").exists()


# -- no process outlives histmap --------------------------------------------------------------


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, waiting for its new parent to reap it, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")
def test_killing_histmap_ends_its_workers_and_encoder(rendered):
    """``kill -9`` of histmap alone: its workers and ffmpeg end within seconds, and a caller
    reading histmap's output sees it end (no survivor holds the pipes open)."""
    folder, out, before = rendered
    proc = start_long_render(folder, out, "2")
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 10
        while len(children) < 3 and time.monotonic() < deadline:  # 2 workers and ffmpeg
            children |= children_of(proc.pid)
            time.sleep(0.05)
        assert len(children) >= 3, children
        os.kill(proc.pid, signal.SIGKILL)  # histmap alone, not its process group
        proc.communicate(timeout=10)  # returns once no process holds stdout and stderr
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in children if alive(pid)] == []
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    assert out.read_bytes() == before
    for name in leftovers(out.parent):  # kill -9: the temporary file stays (documented)
        (out.parent / name).unlink()
