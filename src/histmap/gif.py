"""Animated GIFs written frame by frame, as small as ``gifsicle -O3`` makes them.

One fixed palette (the first frame's main colours and the colours that come and go)
keeps colours steady and exact: a pixel of a palette colour keeps that colour, any
other takes the nearest (no dithering). Each frame after the first stores only the
box of pixels that changed, with the unchanged ones in it made transparent when that
compresses better. The LZW codes start at the width the palette needs (7 bits for
100 colours, not 8 as ffmpeg writes them), which alone saves about 5%. Pillow's GIF
encoder makes the LZW data; this module writes the file around it. Only the previous
frame is kept, so memory stays flat however long the animation.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np
from PIL import Image

MAX_COLOURS = 255
"""Colours a palette may hold: one of the 256 entries is kept for transparency."""

_LOOKUP_BATCH = 4096
"""New colours matched to the palette at a time (bounds the distance table's memory)."""


def colour_keys(pixels: np.ndarray) -> np.ndarray:
    """Each pixel's colour as one 24-bit number, red in the low byte (alpha ignored)."""
    if pixels.shape[-1] == 4 and pixels.flags.c_contiguous:
        # RGBA as it comes from the renderer: a view, no copy per channel.
        return pixels.view("<u4")[..., 0] & 0xFFFFFF
    rgb = pixels[..., :3].astype(np.uint32)
    return rgb[..., 0] | (rgb[..., 1] << 8) | (rgb[..., 2] << 16)


def choose_palette(
    first: np.ndarray, extra: list[tuple[int, int, int]], colours: int
) -> np.ndarray:
    """A palette for a whole animation: ``colours`` main colours of its ``first`` frame
    (median cut) followed by ``extra`` colours, each colour once, at most
    :data:`MAX_COLOURS`; an (n, 3) uint8 array."""
    quantized = Image.fromarray(np.ascontiguousarray(first[..., :3])).quantize(
        colours, method=Image.Quantize.MEDIANCUT
    )
    used = np.asarray(quantized.getpalette()[: colours * 3], np.uint8).reshape(-1, 3)
    palette = np.vstack([used, np.array(extra, np.uint8).reshape(-1, 3)])
    _, first_seen = np.unique(colour_keys(palette), return_index=True)
    return palette[np.sort(first_seen)][:MAX_COLOURS]


class ColourIndex:
    """Maps pixels to the index of the nearest palette colour (exact colours to
    themselves), remembering every colour met: frames of a map reuse the same few."""

    def __init__(self, palette: np.ndarray):
        if len(palette) > MAX_COLOURS:
            raise ValueError(f"a palette of {len(palette)} colours: at most {MAX_COLOURS}")
        self.palette = np.asarray(palette, np.int32)
        # Index + 1 of each 24-bit colour met, 0 if none yet: only the pages of colours
        # met are ever touched.
        self._table = np.zeros(1 << 24, np.uint8)

    def __call__(self, keys: np.ndarray) -> np.ndarray:
        """The palette indices of colours as :func:`colour_keys` gives them (uint8)."""
        found = self._table[keys]
        new = found == 0
        if new.any():
            self._learn(np.unique(keys[new]))
            found = self._table[keys]
        found -= 1
        return found

    def _learn(self, keys: np.ndarray) -> None:
        for start in range(0, len(keys), _LOOKUP_BATCH):
            batch = keys[start : start + _LOOKUP_BATCH]
            rgb = np.stack([batch & 255, (batch >> 8) & 255, batch >> 16], axis=1).astype(np.int32)
            distance = ((rgb[:, None, :] - self.palette[None, :, :]) ** 2).sum(axis=2)
            self._table[batch] = distance.argmin(axis=1) + 1


def _lzw(indices: np.ndarray, bits: int) -> bytes:
    """GIF image data (LZW codes from ``bits`` + 1 bits, in sub-blocks) by Pillow's encoder."""
    image = Image.fromarray(np.ascontiguousarray(indices), "L")
    return image.tobytes("gif", "L", bits) + b"\x00"


def _changed_box(now: np.ndarray, before: np.ndarray) -> tuple[slice, slice] | None:
    """The smallest box holding every pixel that differs, or None if none does."""
    changed = now != before
    rows = np.flatnonzero(changed.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(changed[rows[0] : rows[-1] + 1].any(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def _within(outer: tuple[slice, slice], inner: tuple[slice, slice]) -> tuple[slice, slice]:
    """The box ``inner``, given within ``outer``, in the coordinates ``outer`` is given in."""
    return tuple(
        slice(o.start + i.start, o.start + i.stop) for o, i in zip(outer, inner, strict=True)
    )


class GifStream:
    """A looping GIF written to ``fp`` one frame at a time; :meth:`finish` ends it.

    Parameters
    ----------
    fp : binary file open for writing
    size : (width, height) of every frame
    palette : (n, 3) uint8 colours, n <= :data:`MAX_COLOURS` (see :func:`choose_palette`)
    fps : frames per second
    """

    def __init__(self, fp: BinaryIO, size: tuple[int, int], palette: np.ndarray, fps: float):
        if not 0 < len(palette) <= MAX_COLOURS:
            raise ValueError(f"a GIF palette holds 1 to {MAX_COLOURS} colours")
        self.fp, self.size, self.fps = fp, size, fps
        self.colour_index = ColourIndex(palette)
        self.transparent = len(palette)
        # The LZW code width: enough for every index, the transparent one included.
        self.bits = max(2, len(palette).bit_length())
        self.frames = 0
        self._keys: np.ndarray | None = None  # the previous frame's colours
        self._indices = np.zeros(0, np.uint8)  # and palette indices
        table = np.zeros((1 << self.bits, 3), np.uint8)
        table[: len(palette)] = palette
        flags = 0x80 | ((self.bits - 1) << 4) | (self.bits - 1)  # a global table of 2**bits
        fp.write(b"GIF89a" + struct.pack("<HHBBB", *size, flags, 0, 0) + table.tobytes())
        fp.write(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # loop forever

    def add(self, frame: np.ndarray) -> None:
        """Add an (height, width, 3 or 4) uint8 frame of the stream's size (alpha ignored)."""
        keys = colour_keys(frame)
        if keys.shape[::-1] != self.size:
            raise ValueError(f"a frame of {keys.shape[::-1]}, not {self.size}")
        if self._keys is None:
            self._keys, self._indices = keys, self.colour_index(keys)
            self._write_frame(_lzw(self._indices, self.bits), (0, 0, *self.size), None)
            return
        # Only the pixels whose colour changed are looked up again.
        box = _changed_box(keys, self._keys)
        self._keys, previous = keys, self._indices
        if box is not None:
            self._indices = previous.copy()
            self._indices[box] = self.colour_index(keys[box])
            inner = _changed_box(self._indices[box], previous[box])
            box = None if inner is None else _within(box, inner)
        if box is None:  # the same picture: one transparent pixel keeps the frame's time
            pixel = np.full((1, 1), self.transparent, np.uint8)
            self._write_frame(_lzw(pixel, self.bits), (0, 0, 1, 1), self.transparent)
            return
        kept = self._indices[box]
        data, transparent = _lzw(kept, self.bits), None
        # Unchanged pixels made transparent: longer runs, usually fewer codes.
        see_through = np.where(kept == previous[box], self.transparent, kept).astype(np.uint8)
        clear = _lzw(see_through, self.bits)
        if len(clear) < len(data):
            data, transparent = clear, self.transparent
        rows, cols = box
        self._write_frame(data, (cols.start, rows.start, *kept.shape[::-1]), transparent)

    def _write_frame(
        self, data: bytes, box: tuple[int, int, int, int], transparent: int | None
    ) -> None:
        # Centiseconds, rounded so that the frames keep time over the whole animation.
        delay = round(100 * (self.frames + 1) / self.fps) - round(100 * self.frames / self.fps)
        flags = (1 << 2) | (transparent is not None)  # keep the frame; transparency flag
        control = struct.pack("<BHB", flags, delay, transparent or 0)
        descriptor = struct.pack("<HHHHB", *box, 0)
        self.fp.write(b"!\xf9\x04" + control + b"\x00," + descriptor + bytes([self.bits]) + data)
        self.frames += 1

    def finish(self) -> None:
        """End the GIF (the file stays open: the caller closes it)."""
        self.fp.write(b";")
