"""A snapshot of a million vertices (under the 50 MB cap) checks and draws in seconds, its
territories still sharing their border, and SIGTERM stops it at once.

benchmarks/bench_big_input.py times the same map.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import split_box, write_tiny_map

import histmap
from histmap.loader import MAX_GEOJSON_BYTES

BIG_DATE = "1950-06-25"
GENEROUS = 60.0  # seconds; it takes well under 15 on a quiet machine


def ragged_border(vertices: int, y: float, seed: int = 1) -> np.ndarray:
    """A border across the tiny map, ragged at every scale down to a metre."""
    rng = np.random.default_rng(seed)
    x = np.linspace(125.0, 130.0, vertices)
    wander = rng.normal(0, 4e-6, vertices).cumsum() + rng.normal(0, 1e-4, vertices)
    return np.round(np.column_stack([x, y + 0.05 * np.sin(7 * x) + wander]), 6)


def big_snapshot(vertices: int, y: float = 38.0) -> dict:
    """Two territories sharing one ragged border: ``vertices`` in all."""
    border = ragged_border(vertices // 2, y)
    north = np.vstack([border, [[130, 39], [125, 39]], border[:1]])
    south = np.vstack([border[::-1], [[125, 34.5], [130, 34.5]], border[-1:]])
    doc = split_box(y)
    for feature, ring in zip(doc["features"], (north, south), strict=True):
        feature["geometry"]["coordinates"] = [ring.tolist()]
    return doc


def write_big_map(folder: Path, vertices: int = 1_000_000) -> Path:
    """The tiny test map with its first snapshot replaced by a big one."""
    write_tiny_map(folder)
    path = folder / "snapshots" / f"{BIG_DATE}.geojson"
    path.write_text(json.dumps(big_snapshot(vertices), separators=(",", ":")))
    return folder


@pytest.fixture(scope="module")
def big_map(tmp_path_factory) -> Path:
    return write_big_map(tmp_path_factory.mktemp("big") / "big")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "histmap.cli", *args]


def run(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    done = subprocess.run(cli(*args), capture_output=True, text=True, timeout=5 * GENEROUS)
    return done, time.perf_counter() - start


def test_the_big_snapshot_is_big_but_under_the_cap(big_map):
    size = (big_map / "snapshots" / f"{BIG_DATE}.geojson").stat().st_size
    assert 15e6 < size < MAX_GEOJSON_BYTES


def test_check_and_still_take_seconds(big_map, tmp_path):
    checked, check_s = run("check", str(big_map))
    assert checked.returncode == 0, checked.stderr
    drawn, still_s = run("still", "1950-07-10", str(big_map), "-o", str(tmp_path / "s.png"))
    assert drawn.returncode == 0, drawn.stderr
    print(f"\ncheck {check_s:.1f} s, still {still_s:.1f} s")
    assert check_s < GENEROUS and still_s < GENEROUS
    assert (tmp_path / "s.png").stat().st_size > 0


def test_territories_are_thinned_and_still_share_their_border(big_map):
    snap = histmap.load_map(big_map).data.snapshots[0]
    north, south = snap.territories["north"], snap.territories["un"]
    assert shapely.get_num_coordinates(north) < 100_000
    # The shared border is simplified the same way on both sides: no gap, no overlap,
    # except slivers far below a pixel where it meets the map's edge.
    whole = shapely.box(125, 34.5, 130, 39)
    assert north.intersection(south).area < 1e-6
    assert whole.difference(north.union(south)).area < 1e-6
    # Within the tolerance (the extent's width / 20,000) of every vertex given.
    given = ragged_border(500_000, 38.0)[::250]
    assert shapely.distance(north.boundary, shapely.points(given)).max() <= 4 / 20_000 * 1.01


def wait_for_sigterm_handler(pid: int) -> None:
    """Until histmap catches SIGTERM (it is set once Python has started and imported)."""
    status = Path(f"/proc/{pid}/status")
    for _ in range(int(GENEROUS / 0.05)):
        caught = next(x for x in status.read_text().splitlines() if x.startswith("SigCgt:"))
        if int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.05)
    raise AssertionError("histmap never set its SIGTERM handler")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_sigterm_is_answered_at_once_while_loading(big_map, tmp_path):
    proc = subprocess.Popen(
        cli("still", "1950-07-10", str(big_map), "-o", str(tmp_path / "s.png")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_sigterm_handler(proc.pid)
    time.sleep(1.0)  # into reading and thinning the big snapshot
    sent = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=GENEROUS)
    waited = time.perf_counter() - sent
    print(f"\nexited {waited:.1f} s after SIGTERM")
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "terminated" in err
    assert waited < 10
    assert not (tmp_path / "s.png").exists()


def test_a_long_polygon_with_holes_of_different_lengths_is_thinned():
    import numpy as np
    import shapely

    from histmap.thin import thin

    shell = shapely.Point(0, 0).buffer(10, quad_segs=2000).exterior
    holes = [shapely.Point(x, 0).buffer(1, quad_segs=q).exterior for x, q in ((-4, 1500), (4, 8))]
    polygon = shapely.Polygon(shell, holes)
    thinned = thin(polygon, 0.01)
    assert thinned.is_valid and len(thinned.interiors) == 2
    assert abs(thinned.area - polygon.area) < 0.001 * polygon.area
    assert shapely.get_num_coordinates(thinned) < shapely.get_num_coordinates(polygon)
    assert np.isfinite(shapely.get_coordinates(thinned)).all()
