"""The colours a map's frames may use, for encoders that need a palette (GIF)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from ..scene import World
from ..style import Theme
from .geometry import darker

PHASE_SHADES = ("#ddd6c6", "#e9e4d8")
"""The timeline's phases, in turn."""
PLAYED_SHADE = 0.12
"""How much the played part of the timeline is darkened."""


def map_swatch(world: World, theme: Theme | None = None) -> list[tuple[int, int, int]]:
    """The colours a map's frames use that may not be in its first frame: each side's fill
    over the land and over the sea-mask edge, its arrows, white and black, and the
    timeline's bands once the cursor has passed them."""
    theme = theme or Theme.from_table(world.data.spec.theme)
    land = np.array(mpl.colors.to_rgb(theme.land))
    colours = [(1.0, 1.0, 1.0), (0.0, 0.0, 0.0), mpl.colors.to_rgb(theme.front)]
    for band in (theme.timeline, *PHASE_SHADES):
        colours.append(darker(band, PLAYED_SHADE))
    for side in world.data.spec.sides:
        fill = np.array(mpl.colors.to_rgb(side.colour))
        a = theme.territory_alpha
        for shade in (0.85, 1.0, 1.15):
            colours.append(tuple(np.clip((fill * a + land * (1 - a)) * shade, 0, 1)))
        colours.append(darker(side.colour, 0.15))
        colours.append(tuple(fill))
    return [tuple(round(255 * float(c)) for c in rgb) for rgb in colours]
