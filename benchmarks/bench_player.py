"""Benchmark: how long the interactive player takes to draw a new instant in headless Chromium.

    python benchmarks/bench_player.py                     # korean_war, 100 jumps
    python benchmarks/bench_player.py soviet_view_1951 --jumps 60
    python benchmarks/bench_player.py --folder /tmp/kw    # a player already written

Writes the player (``histmap player``) unless ``--folder`` names one, opens it from
``file://``, lets its workers inflate the keyframes (``--settle`` seconds), then jumps to
seeded random instants of the whole span, 100 ms apart, and times each from the call of
``window.histmap.setDay`` until the instant is drawn (areas, fronts, story): the far jumps
of a teacher dragging the slider. Also a scrub, 0.37 days a step, from 400 days in.
Prints the median and the 90th percentile, the time spent waiting for keyframes to be
decoded, the data file's size and the machine's load (``uptime``). Figures are measured on
this machine in this run, nothing else.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

JUMPS = """async ([n, seed]) => {
  const h = window.histmap, D = window.HISTMAP_PLAYER_DATA, out = [];
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await h.setDay(D.start + rnd() * (D.end - D.start));
    const t = h.timing();
    out.push([performance.now() - t0, t.areas + t.fronts + t.story]);
    await new Promise(r => setTimeout(r, 100));
  }
  return out; }"""

SCRUB = """async () => { const h = window.histmap, d0 = window.HISTMAP_PLAYER_DATA.start + 400;
  await h.setDay(d0); const out = [];
  for (let i = 1; i <= 40; i++) {
    const t0 = performance.now(); await h.setDay(d0 + i * 0.37); out.push(performance.now() - t0);
  }
  return out; }"""


def quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[round(q * (len(values) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("map", nargs="?", default="korean_war")
    parser.add_argument("--folder", type=Path, help="a player folder already written")
    parser.add_argument("--jumps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--settle", type=float, default=3.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from histmap.cli import main as histmap

    folder = args.folder
    if folder is None:
        folder = Path(tempfile.mkdtemp()) / "player"
        if histmap(["player", args.map, "-o", str(folder)]) != 0:
            return 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto((folder / "index.html").resolve().as_uri())
        page.evaluate("window.histmap.ready")
        page.wait_for_timeout(args.settle * 1000)
        jumps = page.evaluate(JUMPS, [args.jumps, args.seed])
        scrub = page.evaluate(SCRUB)
        browser.close()
    total, wait = [t for t, _ in jumps], [t - s for t, s in jumps]
    size = (folder / "player" / "data.js").stat().st_size
    print(f"data.js {size / 1e6:.2f} MB")
    print(
        f"far jumps ({args.jumps}, seed {args.seed}): median {quantile(total, 0.5):.1f} ms, "
        f"p90 {quantile(total, 0.9):.1f} ms (waiting for decoding: median "
        f"{quantile(wait, 0.5):.1f} ms, p90 {quantile(wait, 0.9):.1f} ms)"
    )
    median, p90 = quantile(scrub, 0.5), quantile(scrub, 0.9)
    print(f"scrub (0.37-day steps): median {median:.1f} ms, p90 {p90:.1f} ms")
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.fspath(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
