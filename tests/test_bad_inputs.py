"""The corpus of bad inputs: every mistake a map maker can make, and the message it gets.

Each ``tests/bad_inputs/<case>/`` is laid over the tiny valid map of conftest.py:
its files replace or add to the map's, ``delete.txt`` lists files or folders to
remove, and ``expected.txt`` holds the substrings ``histmap check`` must print
(one a line; ``#`` starts a comment). A case with ``renders.txt`` instead is an
unusual but legitimate map: ``check`` passes it and it renders (the file's first
line is the date of its still).

The rule over the whole corpus: what ``check`` passes, ``still`` and ``render`` draw.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from conftest import write_tiny_map

import histmap
from histmap import loader
from histmap.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.txt").is_file())
RENDERS = sorted(p.name for p in CORPUS.iterdir() if (p / "renders.txt").is_file())
META = {"expected.txt", "delete.txt", "renders.txt"}


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


def expected(name: str, file: str = "expected.txt") -> list[str]:
    lines = (CORPUS / name / file).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_check_names_the_problem(name, tmp_path, capsys, request):
    if name == "resolution_not_installed":
        request.getfixturevalue("without_hires")
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


def test_the_corpus_holds_maps_that_must_render():
    assert len(RENDERS) >= 5 and not set(RENDERS) & set(CASES)


def _still_date(name: str, folder: Path) -> str:
    if name in RENDERS:
        return expected(name, "renders.txt")[0]
    return str(histmap.load_map(folder).span[0])


def test_what_check_passes_still_and_render_draw(tmp_path, capsys):
    """The rule, over the whole corpus: every case ``check`` passes (exit 0) draws a still
    and renders a (tiny) video with exit 0; every ``renders.txt`` case passes ``check``."""
    started, drawn, broken = time.monotonic(), [], []
    for name in sorted(CASES + RENDERS):
        folder = build_case(name, tmp_path)
        code = main(["check", str(folder)])
        out = capsys.readouterr().out
        if name in RENDERS:
            assert code == 0, f"{name}: check refuses a map that must render:\n{out}"
        if code != 0:
            continue
        png, mp4 = tmp_path / f"{name}.png", tmp_path / f"{name}.mp4"
        runs = [
            ["still", _still_date(name, folder), str(folder), "-o", str(png), "--size", "160x90"],
            ["render", str(folder), "-o", str(mp4), "--size", "160x90", "--duration", "1"],
        ]
        for args in runs:
            code = main([*args, "--quiet"] if args[0] == "render" else args)
            err = capsys.readouterr().err
            if code != 0:  # a still that fails: the render is not tried
                broken.append(f"{name}: `histmap {args[0]}` exits {code}: {err}")
                break
        else:
            assert png.is_file() and mp4.is_file()
            drawn.append(name)
    assert not broken, "check passed, the renderer failed:\n" + "\n".join(broken)
    assert set(RENDERS) <= set(drawn)
    assert time.monotonic() - started < 240
