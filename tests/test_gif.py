"""The GIF stream: read back by Pillow, every frame is the nearest palette colour of every
pixel (palette colours exactly), with the LZW codes as narrow as the palette allows."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from histmap.gif import ColourIndex, GifStream, choose_palette, colour_keys

PALETTE = np.array([(200, 40, 40), (40, 90, 200), (250, 250, 250), (0, 0, 0), (120, 200, 90)])


def write(frames, palette=PALETTE, fps=10):
    h, w = frames[0].shape[:2]
    out = io.BytesIO()
    stream = GifStream(out, (w, h), np.asarray(palette, np.uint8), fps)
    for f in frames:
        stream.add(f)
    stream.finish()
    return out.getvalue()


def read(data):
    with Image.open(io.BytesIO(data)) as gif:
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append((np.asarray(gif.convert("RGB")), gif.info["duration"]))
        return frames, gif.info.get("loop")


def nearest(frame, palette=PALETTE):
    d = ((frame[..., None, :3].astype(int) - np.asarray(palette)[None, None]) ** 2).sum(-1)
    return np.asarray(palette, np.uint8)[d.argmin(-1)]


@settings(max_examples=40, deadline=None)
@given(
    choices=arrays(np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 9), st.integers(1, 13))),
    alpha=st.booleans(),
)
def test_frames_read_back_as_their_palette_colours(choices, alpha):
    # Frames of palette colours (some repeated, some changing in boxes): read back exactly.
    frames = [PALETTE[c % len(PALETTE)].astype(np.uint8) for c in choices]
    if alpha:
        frames = [np.dstack([f, np.full(f.shape[:2], 255, np.uint8)]) for f in frames]
    back, loop = read(write(frames))
    assert loop == 0 and len(back) == len(frames)
    for (got, duration), want in zip(back, frames, strict=True):
        assert duration == 100
        np.testing.assert_array_equal(got, want[..., :3])


def test_other_colours_take_the_nearest_palette_colour():
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (20, 30, 3), dtype=np.uint8) for _ in range(4)]
    frames[2] = frames[1].copy()  # an unchanged frame still counts
    back, _ = read(write(frames))
    assert len(back) == 4
    for (got, _), want in zip(back, frames, strict=True):
        np.testing.assert_array_equal(got, nearest(want))


def test_lzw_codes_start_as_narrow_as_the_palette_allows():
    # 111 colours and a transparent index need 7 bits, not the 8 that ffmpeg always writes.
    palette = np.array([(i, 255 - i, (7 * i) % 256) for i in range(111)], np.uint8)
    frame = np.repeat(palette[None], 4, axis=0)
    data = write([frame, frame[::-1].copy()], palette)
    assert data[10] & 0x07 == 6  # a global colour table of 2**7 entries
    first_image = data.index(b",", 13 + 3 * 128)
    assert data[first_image + 10] == 7
    assert len(read(data)[0]) == 2


def test_frames_keep_time_over_the_whole_animation():
    frames = [np.full((4, 4, 3), PALETTE[i % 2], np.uint8) for i in range(12)]
    back, _ = read(write(frames, fps=12))
    durations = [d for _, d in back]
    assert set(durations) == {80, 90} and sum(durations) == 1000


def test_a_changed_box_only_is_stored():
    first = np.full((100, 100, 3), PALETTE[0], np.uint8)
    second = first.copy()
    second[40:42, 60:65] = PALETTE[1]
    one, two = len(write([first])), len(write([first, second]))
    assert two - one < 60  # a 5x2 box, not another 100x100 frame


def test_colour_keys_agree_for_rgb_and_rgba():
    rgb = np.random.default_rng(1).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    rgba = np.dstack([rgb, np.zeros((5, 7), np.uint8)])
    np.testing.assert_array_equal(colour_keys(rgb), colour_keys(rgba))


def test_palettes_hold_each_colour_once_and_leave_room_for_transparency():
    first = np.zeros((8, 8, 3), np.uint8)
    palette = choose_palette(first, [(0, 0, 0), (1, 2, 3), (1, 2, 3)], 96)
    assert {tuple(c) for c in palette} == {(0, 0, 0), (1, 2, 3)} and len(palette) == 2
    many = [(i, i, i) for i in range(256)] + [(1, 0, 0)]
    assert len(choose_palette(first, many, 96)) == 255
    with pytest.raises(ValueError, match="at most 255"):
        ColourIndex(np.zeros((256, 3), np.uint8))
