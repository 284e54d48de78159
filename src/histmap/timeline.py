"""The time axis: which instant of history each frame shows."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ._dates import to_day
from ._errors import OptionError


def frame_count(fps: float, duration: float) -> int:
    """Frames in an animation of ``duration`` seconds (at least two: a start and an end).

    >>> frame_count(24, 90)
    2160
    """
    if fps <= 0 or duration <= 0:
        raise OptionError("fps and duration must be positive")
    return max(2, round(fps * duration))


def calendar_days(start: dt.date, end: dt.date, frames: int) -> np.ndarray:
    """Instants (days since 0001-01-01) of ``frames`` frames spread evenly in calendar time.

    On-screen speed then reflects history: a month takes the same time whenever it is.

    >>> calendar_days(dt.date(1950, 6, 25), dt.date(1950, 6, 27), 3) - to_day("1950-06-25")
    array([0., 1., 2.])
    """
    if end < start:
        raise OptionError(f"the end date {end} is before the start date {start}")
    return np.linspace(to_day(start), to_day(end), frames)
