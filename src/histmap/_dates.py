"""Dates as users give them (ISO strings or ``datetime.date``) and as the engine uses them."""

from __future__ import annotations

import datetime as dt
import re

from ._errors import OptionError

DateLike = dt.date | str
BEFORE_AD_1 = re.compile(r"^\s*(-\d|\+?0000-|\d+\s*B\.?C)", re.IGNORECASE)
"""A date of a year before AD 1 (``-0044-03-15``, ``0000-01-01``, ``44 BC``)."""


def to_date(value: DateLike, *, allow_time: bool = True) -> dt.date:
    """Return a ``datetime.date`` from a date or an ISO ``YYYY-MM-DD`` string.

    The one date parser: the API and the command line, and the data files, where
    ``allow_time=False`` refuses a date with a time of day rather than cut it to its day.

    >>> to_date("1950-09-15")
    datetime.date(1950, 9, 15)
    >>> to_date(dt.datetime(1950, 9, 15, 6), allow_time=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    histmap._errors.OptionError: '1950-09-15 06:00:00' has a time of day: write the date alone, ...
    """
    if isinstance(value, dt.datetime):
        if not allow_time:
            raise OptionError(f"'{value}' has a time of day: write the date alone, YYYY-MM-DD")
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        if BEFORE_AD_1.match(str(value)):
            raise OptionError(
                f"'{value}' is before AD 1: histmap's dates run from 0001-01-01 to 9999-12-31, "
                "years BCE are not supported"
            ) from None
        raise OptionError(f"'{value}' is not a date: write YYYY-MM-DD, e.g. 1950-09-15") from None


def to_day(value: DateLike | float) -> float:
    """Days since 0001-01-01 as a float: the engine's continuous time axis.

    >>> to_day("1950-06-25") + 1 == to_day("1950-06-26")
    True
    """
    if isinstance(value, int | float):
        return float(value)
    return float(to_date(value).toordinal())


def new_year(year: int) -> float:
    """The instant 1 January of ``year`` begins, for any year from 1 to 9999.

    >>> new_year(501) == to_day("0501-01-01")
    True
    """
    return float(dt.date(year, 1, 1).toordinal())


def day_within(value: DateLike, start: dt.date, end: dt.date) -> float:
    """The instant of a date that must lie between ``start`` and ``end`` (a map's span).

    >>> day_within("1950-06-25", dt.date(1950, 6, 25), dt.date(1953, 7, 27)) == to_day("1950-06-25")
    True
    """
    d = to_date(value)
    if not start <= d <= end:
        raise OptionError(f"{d} is outside the map's span, {start} to {end}")
    return to_day(d)


def from_day(day: float) -> dt.date:
    """The calendar date an instant falls on.

    >>> from_day(to_day("1953-07-27") + 0.6)
    datetime.date(1953, 7, 27)
    """
    return dt.date.fromordinal(int(day))
