"""The scale bar: a round number of kilometres, about a fifth of the map's width.

Its length is measured on the ground (geodesic distances on the WGS84 ellipsoid) along
the row where it is drawn, so it is true in any projection: metres, feet or degrees.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod

from .base import Band, Depends, Layer

ROUND_KM = (1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 1000, 2000, 5000)
SAMPLES = 64
"""Points along the bar's row where the ground distance is measured."""
_GEOD = Geod(ellps="WGS84")


def round_length_km(width_m: float) -> int:
    """The longest round length no longer than a fifth of ``width_m`` (at least 1 km).

    >>> round_length_km(1_664_000), round_length_km(20_000), round_length_km(2_000)
    (300, 2, 1)
    """
    target_km = width_m / 1000 / 5
    return max(v for v in ROUND_KM if v <= max(target_km, ROUND_KM[0]))


def ground_along_row(projector, x0: float, x1: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Projected x from ``x0`` to ``x1`` on row ``y``, and the ground distance (metres)
    from ``x0`` to each, measured along the row; only the points the projection can
    take back to lon/lat."""
    x = np.linspace(x0, x1, SAMPLES)
    lon, lat = projector.inverse_points(x, np.full_like(x, y))
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90)
    x, lon, lat = x[ok], lon[ok], lat[ok]
    if len(x) < 2:
        return x, np.zeros_like(x)
    _, _, steps = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return x, np.r_[0.0, np.cumsum(np.abs(steps))]


def bar_length(projector, x0: float, x1: float, y: float) -> tuple[int, float, float] | None:
    """A bar starting at ``x0`` on row ``y`` of a map ending at ``x1``: its round length in
    km (about a fifth of the map's width), and the x where it ends and where its half
    ends, in projected units (``None``: the row cannot be measured)."""
    x, metres = ground_along_row(projector, x0, x1, y)
    if len(x) < 2 or not metres[-1] > 0 or x[0] != x0:
        return None
    fifth = x0 + (x1 - x0) / 5 / 0.97  # a fifth of the map, which starts 3% before the bar
    km = round_length_km(5 * float(np.interp(fifth, x, metres)))

    def at(target: float) -> float:
        if target <= metres[-1]:
            return float(np.interp(target, metres, x))
        # longer than the row measured (the shortest bar on a tiny map): extrapolate
        return x0 + (x[-1] - x0) * target / metres[-1]

    return km, at(km * 1000.0), at(km * 500.0)


class ScaleBar(Layer):
    depends, band = Depends.VIEW, Band.OVER_SYMBOLS

    km: int | None = None
    """The bar's length on the ground, as labelled (``None``: no bar)."""
    bar: tuple[float, float, float] | None = None
    """Where the bar is drawn, in projected units: x from, x to, y."""

    def build(self) -> None:
        ctx = self.ctx
        ax = ctx.map_ax
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        bx, by = x0 + 0.03 * (x1 - x0), y0 + 0.035 * (y1 - y0)
        measured = bar_length(ctx.world.projector, bx, x1, by)
        if measured is None:  # a row the projection cannot take back to the ground
            self.km = self.bar = None
            return
        self.km, end, half = measured
        self.bar = (bx, end, by)
        style = {"color": ctx.theme.text, "zorder": 9, "solid_capstyle": "butt"}
        ax.plot([bx, end], [by, by], linewidth=ctx.pt(3), **style)
        ax.plot([bx, half], [by, by], linewidth=ctx.pt(1.6), color="white", zorder=9.1)
        label = ax.text(
            bx,
            by + 0.012 * (y1 - y0),
            ctx.tr.km(self.km),
            fontsize=ctx.pt(8),
            color=ctx.theme.text,
            zorder=9,
            path_effects=ctx.halo(),
        )
        ctx.placed.append(label.get_window_extent(ctx.renderer()))
