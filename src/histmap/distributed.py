"""Scale out: draw chunks of frames on a Dask cluster, streamed back in order.

Optional (``pip install -e '.[distributed]'``). Each Dask worker loads the map
folder once and keeps its renderer between chunks; only the map's folder, the
frame plan's settings and frame indices travel to the workers, and frames travel
back, at most a few chunks ahead of the encoder.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import OptionError


@dataclass(frozen=True)
class RemotePlan:
    """What a worker needs to rebuild the plan: the map folder and the video settings."""

    folder: str
    size: tuple[int, int]
    fps: float
    duration: float
    start: str
    end: str
    pacing: str


_CACHE: dict[RemotePlan, object] = {}


def _draw_remote(plan: RemotePlan, indices: list[int]) -> list[np.ndarray]:
    """On a worker: the frames ``indices`` of ``plan`` (the map and renderer kept per worker)."""
    from histmap.render import FrameSource

    if plan not in _CACHE:
        import histmap

        hmap = histmap.load_map(plan.folder)
        frames = hmap.plan(
            size=plan.size,
            fps=plan.fps,
            duration=plan.duration,
            start=plan.start,
            end=plan.end,
            pacing=plan.pacing,
        )
        _CACHE.clear()
        _CACHE[plan] = FrameSource(hmap.world, frames)
    return _CACHE[plan].draw(indices)


def iter_frames_dask(
    address: str, plan: RemotePlan, count: int, chunk: int = 12, ahead: int = 8
) -> Iterator[np.ndarray]:
    """The ``count`` frames of ``plan``, drawn on the Dask scheduler at ``address``, in order."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise OptionError("--scheduler needs Dask: pip install -e '.[distributed]'") from None
    if not Path(plan.folder).is_dir():
        raise OptionError(f"the workers need the map folder {plan.folder}")
    chunks = [list(range(i, min(i + chunk, count))) for i in range(0, count, chunk)]
    with Client(address, set_as_default=False) as client:
        pending: deque = deque()
        queue = iter(chunks)
        for indices in queue:
            pending.append(client.submit(_draw_remote, plan, indices, pure=False))
            if len(pending) >= ahead:
                break
        while pending:
            frames = pending.popleft().result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(client.submit(_draw_remote, plan, nxt, pure=False))
            yield from frames
