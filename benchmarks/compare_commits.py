"""Two checkouts of histmap side by side: the same render, end to end, taking turns.

    git worktree add --detach /tmp/before <commit>
    python benchmarks/compare_commits.py /tmp/before/src src --rounds 2 --duration 60

Each round renders the built-in map with ``histmap render`` (as bench_render.py does)
once per checkout and size, alternating, and prints frames per second of wall time and
frames per CPU-second (all processes: the parent, its workers and ffmpeg). On a busy
machine wall time swings with the load; CPU time much less, so compare that.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path


def render(src: str, size: str, duration: float, out: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one render with the package found in ``src``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = ["histmap", "render", "-o", str(out), "--size", size, "--quiet"]
    subprocess.run(
        [*command, "--duration", str(duration)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": src},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the src/ folder of the first checkout")
    parser.add_argument("new", help="the src/ folder of the second checkout")
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    frames = round(24 * args.duration)
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(1, args.rounds + 1):
            for size in args.sizes.split(","):
                for name, src in (("old", args.old), ("new", args.new)):
                    wall, cpu = render(src, size, args.duration, Path(tmp) / f"{name}.mp4")
                    print(
                        f"round {n} {size} {name}: {frames / wall:.1f} frames/s wall, "
                        f"{frames / cpu:.1f} frames per CPU-second",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
