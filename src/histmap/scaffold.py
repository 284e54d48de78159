"""``histmap new``: a new map folder from the commented template in ``templates/new_map``.

The template is a small real example (the Battle of Crete, 1941) with two
snapshots, an event and a place: it passes ``histmap check`` and renders at once,
and a map maker replaces its data with their own.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

from ._errors import OptionError

_TEXT_TEMPLATES = ("map.toml", "README.md")


def _template_files():
    root = resources.files("histmap") / "templates" / "new_map"
    stack = [(root, Path())]
    while stack:
        folder, rel = stack.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                stack.append((entry, rel / entry.name))
            elif not entry.name.startswith("."):
                yield rel / entry.name, entry.read_text(encoding="utf-8")


def new_map(name: str | os.PathLike, directory: str | os.PathLike | None = None) -> Path:
    """Create the map folder ``directory/name`` (default: in the current folder) and return it.

    ``name`` may be a path, as with ``git init`` and ``cargo new``: ``maps/my_map`` makes
    the folder ``my_map`` in ``maps`` (made too, if need be); its last part names the map.
    Raises :class:`OptionError` if that part is not a plain folder name, if the path goes up
    with ``..``, or if the folder exists.
    """
    path = Path(name)
    usable = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", path.name)
    if not usable or ".." in path.parts:
        raise OptionError(
            f"'{name}' is not a usable map name: use letters, digits, '_', '-' or '.', "
            "in a folder path without '..'"
        )
    folder = Path(directory or ".") / path
    name = path.name
    if folder.exists():
        raise OptionError(f"{folder} already exists: choose another name or --dir")
    title = name.replace("_", " ").replace("-", " ").strip().capitalize()
    values = {"{title}": title, "{name}": name, "{path}": str(folder)}
    files = list(_template_files())
    folder.mkdir(parents=True)
    for rel, text in files:
        if rel.name in _TEXT_TEMPLATES:
            for key, value in values.items():
                text = text.replace(key, value)
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder
