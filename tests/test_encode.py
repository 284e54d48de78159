"""Writers round-trip: frames in, files out, read back; nothing partial left behind."""

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

from histmap._errors import OptionError, OutputError
from histmap.encode import format_of, open_writer


def frames(n=6, size=(96, 64)):
    w, h = size
    for i in range(n):
        frame = np.zeros((h, w, 3), np.uint8)
        frame[:, : (i + 1) * w // n] = (200, 40, 40)
        frame[:, (i + 1) * w // n :] = (40, 90, 200)
        yield frame


def write_all(out, n=6, size=(96, 64), fps=10, name="t"):
    writer = open_writer(out, size, fps, name=name)
    for f in frames(n, size):
        writer.write(f)
    writer.close()
    return writer


def test_mp4_round_trip(tmp_path):
    out = tmp_path / "a.mp4"
    write_all(out, n=12)
    with imageio.get_reader(out) as reader:
        meta = reader.get_meta_data()
        count = reader.count_frames()
        last = reader.get_data(11)
    assert count == 12
    assert meta["size"] == (96, 64) and meta["fps"] == 10 and meta["codec"] == "h264"
    assert "yuv420p" in meta["pix_fmt"]
    assert abs(int(last[32, 10, 0]) - 200) < 20
    assert list(tmp_path.iterdir()) == [out]


def test_gif_round_trip_loops_forever(tmp_path):
    out = tmp_path / "a.gif"
    write_all(out, n=5)
    with Image.open(out) as gif:
        assert gif.n_frames == 5 and gif.size == (96, 64)
        assert gif.info["loop"] == 0 and gif.info["duration"] == 100
        gif.seek(4)
        assert gif.convert("RGB").getpixel((90, 30))[0] > 150
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif"]


def test_frames_are_resized_to_the_writer_size(tmp_path):
    out = tmp_path / "small.gif"
    writer = open_writer(out, (48, 32), 10)
    for f in frames(3, (96, 64)):
        writer.write(f)
    writer.close()
    with Image.open(out) as gif:
        assert gif.size == (48, 32)


def test_png_sequence_replaces_its_own_set_and_leaves_others(tmp_path):
    (tmp_path / "other_00001.png").write_bytes(b"keep")
    write_all(tmp_path, n=6, name="war")
    writer = write_all(tmp_path, n=3, name="war")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["other_00001.png", "war_00001.png", "war_00002.png", "war_00003.png"]
    assert writer.replaced == 6
    with Image.open(tmp_path / "war_00003.png") as png:
        assert png.size == (96, 64)


def test_abort_keeps_the_previous_output(tmp_path):
    out = tmp_path / "a.mp4"
    write_all(out)
    before = out.read_bytes()
    writer = open_writer(out, (96, 64), 10)
    writer.write(next(frames()))
    writer.abort()
    assert out.read_bytes() == before
    assert list(tmp_path.iterdir()) == [out]


def test_format_is_chosen_by_extension():
    assert format_of("x.mp4") == "mp4" and format_of("x.gif") == "gif"
    assert format_of("somewhere/frames") == "png"
    with pytest.raises(OptionError, match=r"use \.mp4, \.gif"):
        format_of("x.avi")


def test_missing_folder_is_refused_before_writing(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        open_writer(tmp_path / "nope" / "a.mp4", (96, 64), 10)
