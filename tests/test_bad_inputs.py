"""The corpus of bad inputs: every mistake a map maker can make, and the message it gets.

Each ``tests/bad_inputs/<case>/`` is laid over the tiny valid map of conftest.py:
its files replace or add to the map's, ``delete.txt`` lists files or folders to
remove, and ``expected.txt`` holds the substrings ``histmap check`` must print
(one a line; ``#`` starts a comment).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import write_tiny_map

import histmap
from histmap import loader
from histmap.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.txt").is_file())
META = {"expected.txt", "delete.txt"}


def build_case(name: str, dest: Path) -> Path:
    """The tiny map with the case ``name`` applied, in ``dest``."""
    folder = write_tiny_map(dest / name)
    case = CORPUS / name
    for rel in (case / "delete.txt").read_text().split() if (case / "delete.txt").exists() else []:
        target = folder / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    for src in case.rglob("*"):
        rel = src.relative_to(case)
        if src.is_file() and str(rel) not in META:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, folder / rel)
    return folder


def expected(name: str) -> list[str]:
    lines = (CORPUS / name / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_check_names_the_problem(name, tmp_path, capsys):
    folder = build_case(name, tmp_path)
    code = main(["check", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    for text in expected(name):
        assert text in out, f"{name}: {text!r} not in:\n{out}"
    assert "Traceback" not in out + err


def test_render_refuses_bad_input_before_drawing(tmp_path, capsys):
    folder = build_case("unclosed_ring", tmp_path)
    out = tmp_path / "out.mp4"
    assert main(["render", str(folder), "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the outer ring is not closed" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    "name", ["bad_theme_colour", "unknown_theme_key", "theme_number_out_of_range"]
)
def test_still_refuses_a_bad_theme_as_check_does(name, tmp_path, capsys):
    """What rendering reads, ``check`` checks: no theme error is left for the renderer."""
    folder = build_case(name, tmp_path)
    out = tmp_path / "still.png"
    assert main(["still", "1950-07-01", str(folder), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    for text in expected(name):
        assert text in err, f"{name}: {text!r} not in:\n{err}"
    assert "please report it" not in err and "Traceback" not in err
    assert not out.exists()


def test_debug_shows_the_traceback(tmp_path, capsys):
    folder = build_case("unclosed_ring", tmp_path)
    assert main(["check", str(folder), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["--debug", "info", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "MapError" in err


def test_a_file_too_large_is_refused_by_its_size_unread(tmp_path, capsys, monkeypatch):
    folder = write_tiny_map(tmp_path / "tiny")
    huge = folder / "snapshots" / "1950-07-25.geojson"
    with huge.open("r+b") as f:
        f.truncate(3 * loader.MAX_GEOJSON_BYTES)  # sparse: nothing is written to disk

    read_bytes = Path.read_bytes

    def guarded(path):
        assert path.stat().st_size <= loader.MAX_GEOJSON_BYTES, f"{path} was read"
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "snapshots/1950-07-25.geojson: is 150 MB, more than the 50 MB" in out
    assert "simplify the geometry" in out


def test_land_left_to_no_side_is_allowed_when_the_map_says_so(tmp_path):
    folder = build_case("unheld_land", tmp_path)
    toml = folder / "map.toml"
    toml.write_text(toml.read_text().replace("[[sides]]", "allow_unheld = true\n\n[[sides]]", 1))
    data, warnings = loader.load_map_data(folder)
    assert warnings == [] and set(data.snapshots[1].territories) == {"north"}


def test_map_error_lists_errors_and_warnings(tmp_path):
    folder = build_case("self_intersection", tmp_path)
    with pytest.raises(histmap.MapError) as info:
        histmap.load_map(folder)
    assert {p.severity for p in info.value.problems} == {"error", "warning"}
    assert "warning: " in str(info.value)
