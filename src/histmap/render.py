"""The render loop: instants -> scenes -> pixels -> writers, in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .draw import FrameRenderer
from .encode import Writer, format_of, open_writer
from .scene import World


@dataclass(frozen=True)
class Output:
    """One output of a render: where, what size, and every how many frames it takes one."""

    target: Path
    size: tuple[int, int]
    stride: int

    @classmethod
    def for_target(
        cls, target: Path, base_size: tuple[int, int], base_fps: float, *, gif_size: tuple[int, int]
    ) -> Output:
        if format_of(target) == "gif":
            # A GIF for slides: smaller, and about 12 frames a second.
            stride = max(1, round(base_fps / 12))
            size = gif_size if gif_size[0] <= base_size[0] else base_size
            return cls(target, size, stride)
        return cls(target, base_size, 1)


def render_outputs(
    world: World,
    days: np.ndarray,
    size: tuple[int, int],
    fps: float,
    outputs: list[Output],
    *,
    name: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Render the frames at ``days`` once and feed every output; all or nothing."""
    writers: list[tuple[Writer, Output]] = []
    try:
        for out in outputs:
            out_dir = out.target if format_of(out.target) == "png" else None
            if out_dir is not None and not out_dir.exists() and out_dir.parent.is_dir():
                out_dir.mkdir()
            writers.append((open_writer(out.target, out.size, fps / out.stride, name=name), out))
        renderer = FrameRenderer(world, size)
        for i, day in enumerate(days):
            frame = renderer.render(world.scene(float(day)))
            for writer, out in writers:
                if i % out.stride == 0:
                    writer.write(frame)
            if progress is not None:
                progress(i + 1, len(days))
        for writer, _ in writers:
            writer.close()
    except BaseException:
        for writer, _ in writers:
            writer.abort()
        raise
    return [out.target for _, out in writers]
