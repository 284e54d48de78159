"""histmap: animated historical maps from plain data files.

>>> import histmap
>>> war = histmap.load_map()                       # doctest: +SKIP
>>> war.still("1950-09-15", "inchon.png")          # doctest: +SKIP
>>> war.render("war.mp4", histmap.RenderOptions(size=(1920, 1080)))  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._errors import HistmapError, HistmapWarning, MapError, OptionError, OutputError, Problem
from .api import HistMap, load_map
from .options import RenderOptions

__all__ = [
    "HistMap",
    "HistmapError",
    "HistmapWarning",
    "MapError",
    "OptionError",
    "OutputError",
    "Problem",
    "RenderOptions",
    "__version__",
    "load_map",
]
