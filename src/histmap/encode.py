"""Encoders: MP4, GIF and PNG sequences behind one small interface.

Each writer follows matplotlib's movie-writer pattern (``open``, ``write`` a frame,
``close``) and writes to a temporary file beside its target, renamed into place
only when complete: an interrupted render never leaves a truncated file where a
good one was. MP4 goes through ffmpeg (from the ``imageio-ffmpeg`` wheel), GIF through
:mod:`histmap.gif`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import BinaryIO

import imageio_ffmpeg
import numpy as np
from PIL import Image

from ._errors import OptionError, OutputError
from .gif import GifStream, choose_palette
from .outputs import make_folder_beside, replace_files

FORMATS = ("mp4", "gif", "png")


def format_of(out: str | os.PathLike) -> str:
    """The output format an output path asks for: its extension, or ``png`` for a folder.

    >>> format_of("war.mp4"), format_of("frames/"), format_of("a.GIF")
    ('mp4', 'png', 'gif')
    """
    suffix = Path(out).suffix.lower().lstrip(".")
    if not suffix:
        return "png"
    if suffix not in ("mp4", "gif"):
        raise OptionError(f"cannot write '.{suffix}': use .mp4, .gif, or a folder for PNG frames")
    return suffix


def temp_beside(path: Path) -> Path:
    """An empty temporary file in ``path``'s folder, with the permissions of a normal file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


def write_text(path: Path, text: str) -> Path:
    """Write a UTF-8 text file whole or not at all (through a temporary file beside it)."""
    tmp = temp_beside(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def check_writable(folder: Path) -> None:
    """Fail early, before any rendering, if ``folder`` cannot take output."""
    if not folder.is_dir():
        raise OutputError(f"the folder '{folder}' does not exist: create it first")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"the folder '{folder}' is not writable")


def check_output(out: str | os.PathLike) -> None:
    """Fail early, before any rendering, if ``out`` cannot be written: its format and folder.

    A folder for PNG frames may be new (it is created) if its parent exists.
    """
    path = Path(out)
    if format_of(path) != "png":
        if path.is_dir():
            raise OutputError(f"'{path}' is a folder: name a file to write, e.g. {path / 'map'}")
        check_writable(path.parent if str(path.parent) else Path("."))
    elif path.exists() and not path.is_dir():
        raise OutputError(f"'{path}' is a file: PNG frames go to a folder")
    else:
        check_writable(path if path.is_dir() else path.parent)


RAW_FORMATS = {3: "rgb24", 4: "rgba"}
"""ffmpeg's names for frames of 3 and 4 channels (the alpha of frames is ignored)."""


class Writer:
    """Base writer: frames of one size in, one finished output out.

    Frames are (height, width, 3) RGB or (height, width, 4) RGBA uint8 arrays.
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float):
        self.path, self.size, self.fps = Path(path), size, fps
        self.frames = 0

    def write(self, frame: np.ndarray) -> None:
        """Add a frame; one of another size is scaled to the writer's."""
        self._write(frame)
        self.frames += 1

    def close(self) -> None:
        """Finish and move the output into place."""

    def abort(self) -> None:
        """Stop and remove everything partial; the previous output stays as it was."""

    def _write(self, frame: np.ndarray) -> None:
        raise NotImplementedError


class _AtomicFileWriter(Writer):
    def __init__(self, path: Path, size: tuple[int, int], fps: float):
        super().__init__(path, size, fps)
        check_writable(self.path.parent)
        self.tmp = temp_beside(self.path)

    def _finish(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


PIPE_BYTES = 1 << 20
"""ffmpeg's input pipe is widened to this (Linux's limit for a user): with the default
64 kB, handing over a 1080p frame costs three times more CPU in context switches."""


class _FfmpegWriter(_AtomicFileWriter):
    """Raw frames piped to an ffmpeg process (the binary of ``imageio-ffmpeg``).

    ffmpeg is started on the first frame, which fixes the frames' size and channels (RGB
    or RGBA); ffmpeg scales them to the writer's size, in its own process. Subclasses
    give the output options, with ``scale`` the filter that makes the writer's size.
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float):
        super().__init__(path, size, fps)
        self._proc: subprocess.Popen | None = None

    def _output_args(self, first: np.ndarray, scale: str) -> list[str]:
        raise NotImplementedError

    def _start(self, first: np.ndarray) -> None:
        h, w = first.shape[:2]
        # Area averaging: the right filter to shrink, as the GIF writer's.
        scale = f"scale={self.size[0]}:{self.size[1]}:flags=area"
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            RAW_FORMATS[first.shape[2]],
            "-s",
            f"{w}x{h}",
            "-r",
            f"{self.fps}",
            "-i",
            "-",
            *self._output_args(first, scale),
            str(self.tmp),
        ]
        # The encoder holds none of the caller's pipes; only histmap holds its input, so it
        # ends with histmap, even killed (no preexec_fn: a Ctrl-C there would be lost). In a
        # process group of its own, a terminal's Ctrl-C reaches histmap alone, which then
        # aborts the encoder: else the two raced, and an encoder stopping first made an
        # interruption look like a failed write.
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            process_group=0,
        )
        _widen_pipe(self._proc.stdin.fileno())

    def _write(self, frame: np.ndarray) -> None:
        if self._proc is None:
            self._start(frame)
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame).data)
        except BrokenPipeError:
            raise OutputError(f"ffmpeg stopped writing {self.path}: {self._stop()}") from None

    def _stop(self) -> str:
        """Close ffmpeg's pipes, wait for it, and return what it said on failure."""
        if self._proc is None or self._proc.stderr.closed:
            return ""
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        err = self._proc.stderr.read().decode(errors="replace").strip()
        self._proc.stderr.close()
        self._proc.wait()
        return err

    def close(self) -> None:
        if self._proc is None:
            raise OutputError("no frames to write")
        err = self._stop()
        if self._proc.returncode != 0:
            super().abort()
            raise OutputError(f"ffmpeg failed writing {self.path}: {err}")
        self._finish()

    def abort(self) -> None:
        # The encoder may already be gone (killed, disk full): its pipes are closed anyway.
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._stop()
        super().abort()


def _widen_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or over the user's pipe quota: the default size works, slower


class Mp4Writer(_FfmpegWriter):
    """H.264 in yuv420p (plays in browsers), ``+faststart`` so it streams."""

    def _output_args(self, first: np.ndarray, scale: str) -> list[str]:
        # CRF 20 with "veryfast" suits flat map colours: on our frames, 2.3 times faster
        # and a third smaller than CRF 15 "medium". Sizes are even, as yuv420p needs.
        return [
            "-vf",
            scale,
            "-an",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-crf",
            "20",
            "-preset",
            "veryfast",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]


class GifWriter(_AtomicFileWriter):
    """A looping GIF with one small palette of the map's own colours, no dithering.

    One fixed palette keeps colours steady (no flicker, no dither noise) and the
    sides' colours exact: the first frame's 96 main colours plus ``swatch``, the
    colours that come and go (sides, arrows); fewer colours make a smaller file,
    with no visible loss. :mod:`histmap.gif` writes it, frame by frame; frames of
    another size are scaled by area averaging, the right filter to shrink.
    """

    FRAME_COLOURS = 96

    def __init__(
        self,
        path: Path,
        size: tuple[int, int],
        fps: float,
        *,
        swatch: list[tuple[int, int, int]] | None = None,
    ):
        super().__init__(path, size, fps)
        self._swatch = list(swatch or [])
        self._file: BinaryIO | None = None
        self._stream: GifStream | None = None

    def _write(self, frame: np.ndarray) -> None:
        if frame.shape[1::-1] != self.size:
            rgb = Image.fromarray(np.ascontiguousarray(frame[:, :, :3]))
            frame = np.asarray(rgb.resize(self.size, Image.Resampling.BOX))
        if self._stream is None:
            palette = choose_palette(frame, self._swatch, self.FRAME_COLOURS)
            self._file = open(self.tmp, "wb")  # noqa: SIM115 (closed by close or abort)
            self._stream = GifStream(self._file, self.size, palette, self.fps)
        self._stream.add(frame)

    def close(self) -> None:
        if self._stream is None:
            raise OutputError("no frames to write")
        try:
            self._stream.finish()
            self._file.close()
        except BaseException:
            self.abort()
            raise
        self._finish()

    def abort(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        super().abort()


class PngSequenceWriter(Writer):
    """Numbered PNG frames ``<name>_00001.png`` in a folder.

    The set is replaced as a whole: frames are written in a hidden folder beside them
    (``.<name>.xxxx.tmp``) and, once all are done, swapped in for the frames of an
    earlier render with the same name; other files in the folder are left alone.
    Aborted, the hidden folder goes and the earlier set stays as it was.
    """

    def __init__(self, folder: Path, size: tuple[int, int], fps: float, *, name: str):
        super().__init__(folder, size, fps)
        check_writable(self.path)
        self.name = name
        self._built = make_folder_beside(self.path / name)
        self.replaced = 0

    def _write(self, frame: np.ndarray) -> None:
        image = Image.fromarray(frame[:, :, :3])
        if image.size != self.size:
            image = image.resize(self.size, Image.Resampling.LANCZOS)
        path = self._built / f"{self.name}_{self.frames + 1:05d}.png"
        image.save(path, format="PNG", compress_level=3)

    def close(self) -> None:
        old = sorted(self.path.glob(f"{self.name}_[0-9][0-9][0-9][0-9][0-9].png"))
        try:
            replace_files(self._built, self.path, old)
        except BaseException:
            self.abort()
            raise
        self.replaced = len(old)

    def abort(self) -> None:
        shutil.rmtree(self._built, ignore_errors=True)


def open_writer(
    out: str | os.PathLike,
    size: tuple[int, int],
    fps: float,
    *,
    name: str = "frame",
    swatch: list[tuple[int, int, int]] | None = None,
) -> Writer:
    """A writer for ``out``, chosen by its extension (a folder: PNG frames)."""
    kind = format_of(out)
    path = Path(out)
    if kind == "mp4":
        return Mp4Writer(path, size, fps)
    if kind == "gif":
        return GifWriter(path, size, fps, swatch=swatch)
    return PngSequenceWriter(path, size, fps, name=name)
