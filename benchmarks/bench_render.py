"""Benchmark: histmap's renderer against the straightforward approach, on the same frames.

    python benchmarks/bench_render.py                  # 1280x720 and 1920x1080, the whole war
    python benchmarks/bench_render.py --sizes 1280x720 --duration 30

Prints one table: frames, size, our frames/s end to end (MP4) with the follow camera
(``--camera follow``, the default) and with the fixed one side by side, the baseline's
frames/s (a fixed view), each camera's ratio to it, the encoding floor (frames of the
follow-camera video, already in memory, piped to the same encoder) and how many times
faster it is than ours, a still from a cold start, peak memory, and the GIF
size beside what ``gifsicle -O3`` makes of the same frames (Debian's gifsicle,
if installed). Figures are measured on this machine in this run, nothing else.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import histmap
from histmap._dates import from_day
from histmap.draw import FrameRenderer
from histmap.encode import Mp4Writer
from histmap.i18n import language
from histmap.options import parse_size
from histmap.render import default_workers


def our_render(
    size: tuple[int, int], duration: float, out: Path, camera: str
) -> tuple[int, float, int]:
    """End to end in a fresh process, as a user runs it: frames, seconds, peak RSS (kB)."""
    cmd = [
        "histmap",
        "render",
        "-o",
        str(out),
        "--size",
        f"{size[0]}x{size[1]}",
        "--duration",
        str(duration),
        "--camera",
        camera,
        "--quiet",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    frames = round(24 * duration)
    return frames, seconds, peak


def frame_plan(war: histmap.HistMap, duration: float, size=(1280, 720), camera="follow"):
    """The render's own plan: its paced story, the frames' moments, days and views."""
    plan = war.plan(size=size, duration=duration, fps=24, camera=camera)
    return plan.story, plan.times, plan.days, plan


def baseline_fps(war: histmap.HistMap, size: tuple[int, int], days: np.ndarray, out: Path) -> float:
    """The straightforward way: per frame, a new figure, geopandas plots, PNG, imageio."""
    import geopandas as gpd
    import imageio.v2 as imageio
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base = war.world.basemap_lonlat
    land = gpd.GeoSeries([base.land], crs="EPSG:4326").to_crs(war.world.projection)
    rivers = gpd.GeoSeries([base.rivers], crs="EPSG:4326").to_crs(war.world.projection)
    borders = gpd.GeoSeries([base.borders], crs="EPSG:4326").to_crs(war.world.projection)
    colours = {s.id: s.colour for s in war.sides}
    writer = imageio.get_writer(out, fps=24, codec="libx264", macro_block_size=2)
    start = time.perf_counter()
    for day in days:
        fig, ax = plt.subplots(figsize=(size[0] / 100, size[1] / 100), dpi=100)
        ax.set_facecolor("#d3e2ec")
        land.plot(ax=ax, color="#f2eee2")
        parts = war.territories_at(from_day(day)).to_crs(war.world.projection)
        parts.plot(ax=ax, color=[colours[s] for s in parts["side"]], alpha=0.5)
        rivers.plot(ax=ax, color="#86abc6", linewidth=0.5)
        borders.plot(ax=ax, color="#7a6a5c", linewidth=0.8, linestyle="--")
        ax.set_title(f"{war.title}: {language('en').date(from_day(day))}")
        ax.set_axis_off()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        writer.append_data(imageio.imread(buffer.getvalue()))
    writer.close()
    return len(days) / (time.perf_counter() - start)


def encoding_floor(war, size, plan, out: Path, runs: int = 8, run: int = 30) -> float:
    """Frames already in memory (RGBA, as the renderer hands them over), piped to the same
    MP4 encoder as the renderer's: the best of two passes.

    The frames are ``runs`` stretches of ``run`` consecutive frames spread over the
    video (all of it would not fit in memory): consecutive, because the encoder's
    speed depends on how much changes from one frame to the next.
    """
    story, times, days = plan.story, plan.times, plan.days
    renderer = FrameRenderer(war.world, size, story=story)
    starts = np.linspace(0, len(times) - run, runs).astype(int)
    images = [
        renderer.render_rgba(
            war.world.scene(float(days[i]), t=float(times[i]), story=story, view=plan.view(i))
        )
        for first in starts
        for i in range(first, first + run)
    ]
    best = 0.0
    for _ in range(2):
        writer = Mp4Writer(out, size, 24)
        start = time.perf_counter()
        for image in images:
            writer.write(image)
        writer.close()
        best = max(best, len(images) / (time.perf_counter() - start))
    return best


def interpolation_ms(war: histmap.HistMap, days: np.ndarray) -> tuple[float, float, float]:
    """Per frame, after the per-snapshot fields are cached: the drawing geometry (areas and
    front lines from the grid), the exact partition clipped to the coast, and the one-off
    cost of a snapshot's fields."""
    morph = war.world.morph
    start = time.perf_counter()
    for i in range(len(morph.keyframes)):
        morph._field(i)
    per_snapshot = (time.perf_counter() - start) / len(morph.keyframes) * 1000
    morph._cache_size = len(morph.keyframes)
    for i in range(len(morph.keyframes)):
        morph._field(i)
    start = time.perf_counter()
    for day in days:
        morph.regions(float(day))
        morph.boundaries(float(day))
    drawing = (time.perf_counter() - start) / len(days) * 1000
    start = time.perf_counter()
    for day in days[::10]:
        morph.territories(float(day))
    exact = (time.perf_counter() - start) / len(days[::10]) * 1000
    return drawing, exact, per_snapshot


def cold_still(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        ["histmap", "still", "1950-09-15", "-o", str(out)], check=True, capture_output=True
    )
    return time.perf_counter() - start


def gif_sizes(war, story, times, days, folder: Path) -> tuple[int, int | None]:
    """Our GIF, and gifsicle -O3 on a plain GIF of the same frames (same palette)."""
    from PIL import Image

    from histmap.encode import GifWriter

    renderer = FrameRenderer(war.world, (960, 540), story=story)
    frames = [
        renderer.render_rgba(war.world.scene(float(d), t=float(t), story=story))
        for t, d in zip(times[::2], days[::2], strict=True)
    ]
    ours = folder / "ours.gif"
    writer = GifWriter(ours, (960, 540), 12)
    for frame in frames:
        writer.write(frame)
    writer.close()
    if shutil.which("gifsicle") is None:
        return ours.stat().st_size, None
    rgb = [Image.fromarray(f[:, :, :3]) for f in frames]
    palette = rgb[0].quantize(256, method=Image.Quantize.MEDIANCUT)
    plain = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in rgb]
    raw = folder / "plain.gif"
    plain[0].save(raw, save_all=True, append_images=plain[1:], duration=83, loop=0, optimize=False)
    optimized = folder / "gifsicle.gif"
    subprocess.run(["gifsicle", "-O3", str(raw), "-o", str(optimized)], check=True)
    return ours.stat().st_size, optimized.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument(
        "--duration",
        type=float,
        default=120.0,
        help="seconds of video (default: the whole war, 120)",
    )
    parser.add_argument("--baseline-frames", type=int, default=24)
    parser.add_argument("--gif-duration", type=float, default=20.0)
    args = parser.parse_args()
    war = histmap.load_map()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out = folder / "ours.mp4"
        for text in args.sizes.split(","):
            size = parse_size(text)
            frames, follow_s, peak = our_render(size, args.duration, out, "follow")
            _, fixed_s, peak_fixed = our_render(size, args.duration, out, "fixed")
            story, times, days, plan = frame_plan(war, args.duration, size)
            step = max(1, len(days) // args.baseline_frames)
            base = baseline_fps(
                war, size, days[::step][: args.baseline_frames], folder / "baseline.mp4"
            )
            floor = encoding_floor(war, size, plan, folder / "floor.mp4")
            follow, fixed = frames / follow_s, frames / fixed_s
            rows.append(
                (frames, f"{size[0]}x{size[1]}", follow, fixed, base, floor, max(peak, peak_fixed))
            )
        still = cold_still(folder / "still.png")
        _, _, all_days, _ = frame_plan(war, args.duration)
        drawing_ms, exact_ms, snapshot_ms = interpolation_ms(war, all_days[::4])
        story, times, days, _ = frame_plan(war, args.gif_duration, (960, 540), "fixed")
        ours_gif, gifsicle_gif = gif_sizes(war, story, times, days, folder)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {default_workers()} workers"
    )
    print(
        "| frames | size | follow fps | fixed fps | baseline fps | follow / baseline | "
        "fixed / baseline | encoding floor fps (follow) | floor / follow | "
        "peak MB (largest process) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for frames, size, follow, fixed, base, floor, peak in rows:
        print(
            f"| {frames} | {size} | {follow:.1f} | {fixed:.1f} | {base:.2f} | "
            f"{follow / base:.1f}x | {fixed / base:.1f}x | {floor:.1f} | "
            f"{floor / follow:.2f}x | {peak / 1024:.0f} |"
        )
    print(f"cold-start still (1280x720 PNG, new process): {still:.2f} s")
    print(
        f"interpolation per frame: {drawing_ms:.1f} ms (areas and fronts for drawing), "
        f"{exact_ms:.1f} ms (exact partition clipped to the coast); "
        f"{snapshot_ms:.0f} ms once per snapshot"
    )
    gifsicle = f"{gifsicle_gif / 1e6:.2f} MB" if gifsicle_gif else "gifsicle not installed"
    print(
        f"GIF, {args.gif_duration:.0f} s at 960x540, 12 fps: ours {ours_gif / 1e6:.2f} MB, "
        f"gifsicle -O3 on the same frames {gifsicle}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
