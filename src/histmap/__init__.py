"""histmap: animated historical maps from plain data files.

>>> import histmap
>>> war = histmap.load_map()                       # doctest: +SKIP
>>> war.still("1950-09-15", "inchon.png")          # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._errors import HistmapError, MapError, OptionError, OutputError, Problem
from .api import HistMap, load_map

__all__ = [
    "HistMap",
    "HistmapError",
    "MapError",
    "OptionError",
    "OutputError",
    "Problem",
    "__version__",
    "load_map",
]
