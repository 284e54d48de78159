"""Property: whatever a map maker does to a valid map folder, ``histmap check`` answers
with a verdict (0 clean, 1 problems listed), never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from conftest import write_tiny_map
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from histmap.cli import main

FILES = [
    "map.toml",
    "snapshots/1950-06-25.geojson",
    "snapshots/1950-07-25.geojson",
    "events.geojson",
    "places.geojson",
]
ODD_VALUES = [None, True, 0, -1, 1e308, "", "x", "1950-13-45", [], {}, [1, 2], {"a": 1}]


def _paths(doc, prefix=()):
    """Every place in a JSON document: a path of keys and indices."""
    yield prefix
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    )
    for key, value in items:
        yield from _paths(value, (*prefix, key))


def _set(doc, path, value):
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


_DELETE = object()


@st.composite
def mutations(draw):
    """One mutation: (file, kind, parameters drawn here)."""
    name = draw(st.sampled_from(FILES))
    kind = draw(
        st.sampled_from(
            ["delete", "truncate", "non_utf8", "json_edit", "swap", "corrupt", "duplicate"]
        )
    )
    return name, kind, draw(st.integers(0, 10**6)), draw(st.sampled_from(ODD_VALUES))


def apply(folder: Path, mutation) -> None:
    name, kind, n, value = mutation
    path = folder / name
    if not path.exists():
        return
    data = path.read_bytes()
    if kind == "delete":
        path.unlink()
    elif kind == "truncate":
        path.write_bytes(data[: n % max(len(data), 1)])
    elif kind == "non_utf8":
        at = n % max(len(data), 1)
        path.write_bytes(data[:at] + b"\xff\xfe\xe9" + data[at:])
    elif kind == "duplicate":
        shutil.copyfile(path, path.with_name(f"{n % 3}{path.name}"))
    elif name == "map.toml":
        lines = data.decode(errors="replace").splitlines()
        if not lines:
            return
        i = n % len(lines)
        if kind == "swap" or "=" not in lines[i]:
            del lines[i]
        else:
            key = lines[i].split("=")[0]
            lines[i] = f"{key}= {json.dumps(value) if value is not None else '[]'}"
        path.write_text("\n".join(lines))
    else:
        try:
            doc = json.loads(data)
        except ValueError:  # already broken by an earlier mutation
            return
        paths = list(_paths(doc))
        where = paths[n % len(paths)]
        if kind == "swap":  # coordinates written [lat, lon]
            for p in paths:
                if p and p[-1] == "coordinates":
                    _swap(_get(doc, p))
        elif kind == "corrupt":  # a number changed in a text editor
            numbers = [p for p in paths if isinstance(_get(doc, p), float | int)]
            if numbers:
                doc = _set(doc, numbers[n % len(numbers)], [float("nan"), 1e9, -200, 0][n % 4])
        elif where and n % 2:
            doc = _set(doc, where, _DELETE)
        else:
            doc = _set(doc, where, value)
        path.write_text(json.dumps(doc))


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _swap(coords):
    if (
        isinstance(coords, list)
        and len(coords) == 2
        and all(isinstance(c, float | int) for c in coords)
    ):
        coords.reverse()
    elif isinstance(coords, list):
        for c in coords:
            _swap(c)


@settings(
    # 30 fixed examples keep the suite quick; HISTMAP_MUTATIONS=2000 searches harder.
    max_examples=int(os.environ.get("HISTMAP_MUTATIONS", 30)),
    deadline=None,
    derandomize="HISTMAP_MUTATIONS" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(mutations(), min_size=1, max_size=3))
def test_check_never_ends_in_a_traceback(muts):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tiny_map(Path(tmp) / "tiny")
        for mutation in muts:
            apply(folder, mutation)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(folder)])
        assert code in (0, 1), out.getvalue() + err.getvalue()
        assert "Traceback" not in err.getvalue()
