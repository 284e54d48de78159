"""Benchmark: a snapshot of a million vertices, under the 50 MB cap: check, still, SIGTERM.

    PYTHONPATH=src python benchmarks/bench_big_input.py [--vertices 1000000]

Builds the tiny test map with one big snapshot (two territories sharing one border
ragged down to a metre, as tests/test_big_input.py does), then times, each in a fresh
process as a user runs them: ``histmap check``, ``histmap still``, and how long
``histmap still`` takes to exit once sent SIGTERM while it reads the big snapshot.
Figures are measured on this machine in this run, nothing else.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_big_input import BIG_DATE, cli, wait_for_sigterm_handler, write_big_map


def timed(args: list[str]) -> tuple[float, int, str]:
    """Seconds, peak RSS (MB) of a CLI run (GNU time), and its exit status and stderr."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *cli(*args)], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    *err, peak = done.stderr.strip().splitlines() or ["0"]
    if done.returncode:
        sys.exit(f"histmap {args[0]} failed: {' '.join(err)}")
    return seconds, int(peak) // 1024, "\n".join(err)


def sigterm_latency(args: list[str], after: float) -> tuple[float, int]:
    proc = subprocess.Popen(cli(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_sigterm_handler(proc.pid)
    time.sleep(after)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    proc.communicate()
    return time.perf_counter() - sent, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vertices", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_big_map(Path(tmp) / "big", args.vertices)
        size = (folder / "snapshots" / f"{BIG_DATE}.geojson").stat().st_size
        print(f"snapshot: {args.vertices:,} vertices, {size / 1e6:.1f} MB")
        check_s, check_mb, _ = timed(["check", str(folder)])
        print(f"check: {check_s:.1f} s, peak {check_mb} MB")
        still = ["still", "1950-07-10", str(folder), "-o", str(Path(tmp) / "s.png")]
        still_s, still_mb, _ = timed(still)
        print(f"still: {still_s:.1f} s, peak {still_mb} MB")
        for after in (0.5, 1.5, 3.0):
            waited, code = sigterm_latency(still, after)
            print(f"SIGTERM {after:.1f} s into still: exited {waited:.2f} s later (status {code})")


if __name__ == "__main__":
    main()
