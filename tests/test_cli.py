"""End to end through the command line: real (small) outputs, read back."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image, ImageSequence

import histmap
from histmap.cli import main
from histmap.draw import FrameRenderer, map_swatch
from histmap.scene import World

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--size", "320x180"]


def side_colour_at(frame, renderer, lonlat):
    row, col = renderer.pixel_of(*lonlat)
    rgb = np.median(frame[row - 1 : row + 2, col - 1 : col + 2].reshape(-1, 3), axis=0)
    return "north" if rgb[0] > rgb[2] else "un"


@pytest.fixture(scope="module")
def small_renderer(korea):
    return FrameRenderer(korea.world, (320, 180))


def test_render_mp4_reads_back(tmp_path, capsys, korea, small_renderer):
    out = tmp_path / "war.mp4"
    code = main(
        [
            "render",
            "-o",
            str(out),
            *SMALL,
            "--fps",
            "6",
            "--duration",
            "2",
            "--from",
            "1950-06-25",
            "--to",
            "1950-09-01",
            "--quiet",
        ]
    )
    assert code == 0
    assert f"wrote {out}" in capsys.readouterr().out
    with imageio.get_reader(out) as reader:
        assert reader.count_frames() == 12
        assert reader.get_meta_data()["size"] == (320, 180)
        first, last = reader.get_data(0), reader.get_data(11)
    # Pusan stays with the UN; Taejon falls between the first and the last frame.
    assert side_colour_at(first, small_renderer, (128.9, 35.4)) == "un"
    assert side_colour_at(last, small_renderer, (128.9, 35.4)) == "un"
    assert side_colour_at(first, small_renderer, (127.2, 36.2)) == "un"
    assert side_colour_at(last, small_renderer, (127.2, 36.2)) == "north"
    assert side_colour_at(first, small_renderer, (126.8, 40.3)) == "north"


def test_render_gif_loops_and_has_frames(tmp_path):
    out = tmp_path / "war.gif"
    assert (
        main(
            [
                "render",
                "korean_war",
                "-o",
                str(out),
                *SMALL,
                "--fps",
                "4",
                "--duration",
                "2",
                "--quiet",
            ]
        )
        == 0
    )
    with Image.open(out) as gif:
        assert gif.n_frames == 8 and gif.size == (320, 180) and gif.info["loop"] == 0


def test_gif_keeps_the_sides_colours_exact(tmp_path):
    """Every pixel the renderer drew in one of the map's own colours (a side's colours,
    its arrows, white, black) has exactly that colour in the GIF; the others are near."""
    args = [*SMALL, "--fps", "2", "--duration", "3", "--from", "1950-08-01", "--quiet"]
    assert main(["render", "korean_war", "-o", str(tmp_path / "a.gif"), *args]) == 0
    # The GIF alone keeps the whole map: the PNG frames too, to be compared pixel for pixel.
    frames = ["-o", str(tmp_path / "png"), "--camera", "fixed"]
    assert main(["render", "korean_war", *frames, *args]) == 0
    world = histmap.load_map("korean_war")
    swatch = np.array(map_swatch(World(world.data)), np.uint8)
    with Image.open(tmp_path / "a.gif") as image:
        gif = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)]
    pngs = sorted((tmp_path / "png").iterdir())
    assert len(gif) == len(pngs) == 6
    for got, path in zip(gif, pngs, strict=True):
        drawn = np.asarray(Image.open(path).convert("RGB"))
        own = (drawn[:, :, None, :] == swatch[None, None]).all(-1)
        np.testing.assert_array_equal(got[own.any(-1)], drawn[own.any(-1)])
        # Some colour of each side is drawn, so checked, in every frame (map_swatch lists
        # six colours of the frame, then five of each side).
        present = own.any(axis=(0, 1))[6:].reshape(len(world.data.spec.sides), 5)
        assert present.any(axis=1).all()
        assert np.abs(got.astype(int) - drawn).max() < 64


def test_render_png_sequence_into_a_new_folder(tmp_path):
    out = tmp_path / "seq"
    assert main(["render", "-o", str(out), *SMALL, "--fps", "2", "--duration", "2", "--quiet"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"korean_war_{i:05d}.png" for i in range(1, 5)]
    with Image.open(out / names[0]) as png:
        assert png.size == (320, 180)


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_still_in_each_format(tmp_path, ext):
    out = tmp_path / f"inchon.{ext}"
    assert main(["still", "1950-09-16", "-o", str(out), *SMALL]) == 0
    data = out.read_bytes()
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[ext]
    assert data.startswith(magic) and len(data) > 5000
    if ext == "png":
        with Image.open(out) as png:
            assert png.size == (320, 180)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_check_passes_on_the_builtin_map(capsys):
    assert main(["check"]) == 0
    assert "korean_war: OK" in capsys.readouterr().out


def test_check_lists_problems_and_fails(tiny_map, capsys):
    (tiny_map / "snapshots" / "1950-07-25.geojson").write_text("[1, 2")
    assert main(["check", str(tiny_map)]) == 1
    out = capsys.readouterr().out
    assert "1950-07-25.geojson: is not valid JSON" in out
    assert "1 problem(s) found" in out


def test_info_lists_span_snapshots_and_events(capsys):
    assert main(["info", "korean_war"]) == 0
    out = capsys.readouterr().out
    assert "span: 25 June 1950 to 27 July 1953" in out
    assert "1950-09-15" in out and "Inchon" in out


def test_a_users_map_folder_renders(tiny_map, tmp_path):
    out = tmp_path / "tiny.mp4"
    assert main(["render", str(tiny_map), "-o", str(out), *SMALL, "--quiet"]) == 0
    with imageio.get_reader(out) as reader:
        assert reader.count_frames() == 20  # 10 fps x 2 s from its map.toml


def test_bad_options_give_a_message_not_a_traceback(tmp_path, capsys):
    assert main(["still", "1970-01-01", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "outside the map's span" in err and "Traceback" not in err
    assert main(["render", "-o", str(tmp_path / "missing" / "x.mp4"), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["still", "15/09/1950"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["render"], ["still"], ["check"], ["info"]])
def test_help_on_every_command(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    assert "usage: histmap" in capsys.readouterr().out


def test_render_py_and_the_console_script_are_the_same_program():
    for cmd in ([sys.executable, str(ROOT / "render.py"), "--help"], ["histmap", "--help"]):
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0
        assert "render an animation" in result.stdout


def test_import_and_help_do_not_load_matplotlib():
    """``import histmap`` and ``histmap --help`` stay quick: matplotlib loads only to draw."""
    script = textwrap.dedent(
        """
        import contextlib, io, sys
        import histmap, histmap.cli
        assert "matplotlib" not in sys.modules, "import histmap, histmap.cli"
        for command in ([], ["render"], ["still"], ["check"], ["new"]):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
                histmap.cli.main([*command, "--help"])
            assert "matplotlib" not in sys.modules, f"histmap {' '.join(command)} --help"
        """
    )
    src = str(Path(histmap.__file__).resolve().parents[1])  # the histmap under test
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert result.returncode == 0, result.stderr
