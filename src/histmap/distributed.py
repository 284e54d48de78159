"""Scale out: draw chunks of frames on a Dask cluster, streamed back in order.

Optional (``pip install -e '.[distributed]'``). Each Dask worker loads the map
folder once and keeps its renderer between chunks; only the map's folder, the
render's :class:`~histmap.options.RenderOptions` and frame indices travel to the
workers, and frames travel back, at most a few chunks ahead of the encoder.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._errors import OptionError
from .loader import load_map_data
from .options import RenderOptions
from .render import FrameSource, plan_frames
from .scene import World


@lru_cache(maxsize=1)
def _source(folder: str, options: RenderOptions) -> FrameSource:
    """On a worker: the map loaded and its frames planned as the client did (the same
    :func:`~histmap.render.plan_frames`), kept for the next chunks of the same render."""
    data, _ = load_map_data(folder)
    world = World(data)
    return FrameSource(world, plan_frames(world, options))


def _draw_remote(folder: str, options: RenderOptions, indices: list[int]) -> list[np.ndarray]:
    """On a worker: the frames ``indices`` of the render of the map ``folder`` with ``options``."""
    return _source(folder, options).draw(indices)


def iter_frames_dask(
    address: str,
    folder: str,
    options: RenderOptions,
    count: int,
    chunk: int = 12,
    ahead: int = 8,
) -> Iterator[np.ndarray]:
    """The ``count`` frames of the render of the map ``folder`` with ``options`` (their size
    and rate decided, see :meth:`RenderOptions.for_video`), drawn on the Dask scheduler at
    ``address``, in order."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise OptionError("--scheduler needs Dask: pip install -e '.[distributed]'") from None
    if not Path(folder).is_dir():
        raise OptionError(f"the workers need the map folder {folder}")
    chunks = [list(range(i, min(i + chunk, count))) for i in range(0, count, chunk)]
    with Client(address, set_as_default=False) as client:
        pending: deque = deque()
        queue = iter(chunks)
        for indices in queue:
            pending.append(client.submit(_draw_remote, folder, options, indices, pure=False))
            if len(pending) >= ahead:
                break
        while pending:
            frames = pending.popleft().result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(client.submit(_draw_remote, folder, options, nxt, pure=False))
            yield from frames
