import datetime as dt

import numpy as np
import pytest

from histmap._dates import from_day, to_day
from histmap._errors import OptionError
from histmap.timeline import calendar_days, frame_count


def test_frame_count_rounds_and_has_a_start_and_an_end():
    assert frame_count(24, 90) == 2160
    assert frame_count(10, 0.01) == 2
    with pytest.raises(OptionError):
        frame_count(0, 10)


def test_calendar_time_spreads_frames_evenly_over_the_span():
    days = calendar_days(dt.date(1950, 6, 25), dt.date(1953, 7, 27), 500)
    assert days[0] == to_day("1950-06-25") and days[-1] == to_day("1953-07-27")
    steps = np.diff(days)
    assert np.allclose(steps, steps[0])
    assert from_day(days[250]).year == 1952


def test_end_before_start_is_refused():
    with pytest.raises(OptionError, match="before the start"):
        calendar_days(dt.date(1951, 1, 1), dt.date(1950, 1, 1), 10)
