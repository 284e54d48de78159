"""Output safety: what histmap writes replaces an earlier output whole, one writer at a time,
never inside a map being read, and no process of a render outlives it.

- A folder (a lesson, a set of PNG frames) is built beside its target and swapped in at
  the end, with Ctrl-C and SIGTERM held back during the few renames of the swap
  (:func:`swap_folder`, :func:`commit`); what is left over of an interrupted build
  is removed.
- A lock file beside the target (:func:`output_lock`) makes a second histmap writing
  the same output refuse at once instead of mixing or emptying it. Its holder removes
  what a histmap killed while writing that output left (:func:`remove_stale`): no live
  histmap owns those.
- :func:`refuse_inside` keeps outputs out of the folders a render reads.
- :func:`die_with_parent` makes worker processes end with histmap, even after
  ``kill -9``, so that none keeps drawing or holds the caller's pipes open. (An encoder
  ends on its own: its input pipe closes with histmap, and it holds no pipe of the caller.)
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from ._errors import OutputError

# -- building beside, swapping in -----------------------------------------------------------------


def make_folder_beside(target: Path, tag: str = "tmp") -> Path:
    """A new hidden folder in ``target``'s folder (``.NAME.xxxx.tmp``), with the permissions
    of a normal folder (not mkdtemp's private ones)."""
    parent = target.parent if str(target.parent) else Path(".")
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=f".{tag}", dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    return folder


@contextlib.contextmanager
def commit(what: str) -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while ``what`` is swapped in (a few renames); one that
    came meanwhile is raised once the swap is done, noting that ``what`` was replaced."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    done = False
    try:
        yield
        done = True
    finally:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        except BaseException as exc:  # the held signal, raised by its handler
            if done:
                exc.add_note(f"{what} was already replaced")
            raise


def swap_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` in place of ``target`` (if any): the old one is renamed aside,
    the new one renamed in, then the old one removed. Interrupted, nothing changes."""
    aside = None
    with commit(f"'{target}'"):
        if target.exists():
            aside = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
            os.rename(target, aside)
        try:
            os.rename(new, target)
        except BaseException:
            if aside is not None:
                os.rename(aside, target)
            raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def replace_files(built: Path, folder: Path, old: list[Path]) -> None:
    """Move every file of the folder ``built`` into ``folder`` in place of the files ``old``
    (which go, even if the new set is smaller): all or nothing, then remove ``built``."""
    for path in old:
        if path.is_symlink() or not path.is_file():
            raise OutputError(f"'{path}' is not a frame histmap wrote: move it away first")
    aside = built.with_suffix(".old")
    aside.mkdir()
    moved: list[tuple[Path, Path]] = []
    with commit(f"the frames in '{folder}'"):
        try:
            for path in old:
                moved.append((path, aside / path.name))
                os.rename(path, aside / path.name)
            for path in sorted(built.iterdir()):
                moved.append((path, folder / path.name))
                os.rename(path, folder / path.name)
        except BaseException:
            for src, dst in reversed(moved):
                with contextlib.suppress(OSError):
                    os.rename(dst, src)
            raise
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(built, ignore_errors=True)


# -- one writer at a time --------------------------------------------------------------------------


@contextlib.contextmanager
def output_lock(lock: Path, what: str) -> Iterator[None]:
    """Hold the lock file ``lock`` while writing ``what``; if another histmap holds it,
    refuse at once. The lock ends with its process, however it ends (``flock``)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: a file made exclusively, removed at the end
        fcntl = None
    while True:
        flags = os.O_RDWR | os.O_CREAT | (os.O_EXCL if fcntl is None else 0)
        try:
            fd = os.open(lock, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, FileExistsError):
            if fcntl is not None:
                os.close(fd)
            raise OutputError(
                f"another histmap is writing {what}: wait for it to end, or write elsewhere "
                f"(its lock: '{lock}')"
            ) from None
        if fcntl is None or _same_file(fd, lock):
            break
        os.close(fd)  # the holder removed the file as it finished: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


# -- what a killed histmap left -------------------------------------------------------------------

_RANDOM = r"[a-z0-9_]{8}"
"""The random part of a temporary's name: tempfile's eight characters, or four hex bytes."""


def stale_temporaries(target: Path) -> list[Path]:
    """The temporaries of ``target`` that a histmap writing it left beside it: folders
    ``.NAME.xxxxxxxx.tmp`` and ``.old`` (built or set aside), files ``.STEM.xxxxxxxx.SUFFIX``
    (written whole, then renamed) and, for a GIF, ``.STEM.palette.xxxxxxxx.png`` (the
    palette older versions wrote). Only while holding ``target``'s lock are they stale: no
    live histmap owns them.
    """
    name, stem, suffix = (re.escape(part) for part in (target.name, target.stem, target.suffix))
    folders = re.compile(rf"\.{name}\.{_RANDOM}\.(tmp|old)")
    palette = rf"|palette\.{_RANDOM}\.png" if target.suffix.lower() == ".gif" else ""
    files = re.compile(rf"\.{stem}\.({_RANDOM}{suffix}{palette})")
    parent = target.parent if str(target.parent) else Path(".")
    found = []
    for path in parent.glob(f".{glob.escape(target.stem)}.*"):
        if path.is_symlink():
            continue
        if (path.is_dir() and folders.fullmatch(path.name)) or (
            target.suffix and path.is_file() and files.fullmatch(path.name)
        ):
            found.append(path)
    return sorted(found)


def remove_stale(target: Path) -> list[Path]:
    """Remove the :func:`stale_temporaries` of ``target`` (call it holding its lock); returns
    what it removed."""
    removed = stale_temporaries(target)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


# -- never inside a map being read -----------------------------------------------------------------


def refuse_inside(out: Path, folders: dict[Path, str]) -> None:
    """Refuse the output ``out`` if it is, or is inside, one of ``folders`` (each with what
    it is, e.g. "the map folder"), before any work."""
    target = Path(os.path.abspath(out)).resolve()
    for folder, what in folders.items():
        root = folder.resolve()
        if target == root or target.is_relative_to(root):
            raise OutputError(
                f"'{out}' is inside {what} '{folder}', which histmap reads: "
                "write the output somewhere else"
            )


# -- no process outlives histmap -------------------------------------------------------------------

PR_SET_PDEATHSIG = 1


def _prctl():
    """Linux's ``prctl``, or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]
    prctl.restype = ctypes.c_int
    return prctl


def die_with_parent(parent: int) -> None:
    """Make this process end when its parent ``parent`` does (called in a child): Linux
    kills it with the parent (``PR_SET_PDEATHSIG``); elsewhere a thread watches."""
    prctl = _prctl()
    if prctl is None or prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before this was set
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(0.5)
    os._exit(1)

