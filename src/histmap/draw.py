"""Drawing scenes with matplotlib: the only module that knows about pixels.

A :class:`FrameRenderer` builds one figure per output size, draws the static
layers once, and for each frame only swaps the paths of the territories and
fronts and the texts of the side panel.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import shapely
import shapely.geometry.polygon
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from ._dates import format_long
from .scene import Scene, World

DPI = 100


@dataclass(frozen=True)
class Theme:
    """Colours and type; the default is calm enough to sit under translucent fills."""

    sea: str = "#d6e4ee"
    land: str = "#f4f0e6"
    coast: str = "#5f7482"
    border: str = "#7a6a5c"
    river: str = "#8db2cc"
    front: str = "#1d1d1d"
    text: str = "#222222"
    muted: str = "#5b6670"
    panel: str = "#fbfaf6"
    territory_alpha: float = 0.55
    font: str = "DejaVu Sans"


def polygon_path(geom: BaseGeometry) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included, for one patch or collection item."""
    rings = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        # Holes wound against the shell, so matplotlib's nonzero rule leaves them empty.
        poly = shapely.geometry.polygon.orient(poly, 1.0)
        rings.append(np.asarray(poly.exterior.coords))
        rings.extend(np.asarray(r.coords) for r in poly.interiors)
    if not rings:
        return MplPath(np.zeros((1, 2)), [MplPath.MOVETO])
    codes = [
        np.r_[MplPath.MOVETO, np.full(len(r) - 2, MplPath.LINETO), MplPath.CLOSEPOLY] for r in rings
    ]
    return MplPath(np.concatenate(rings), np.concatenate(codes).astype(np.uint8))


def line_segments(geom: BaseGeometry) -> list[np.ndarray]:
    """The vertex arrays of every line in a (multi)line geometry or collection."""
    return [
        np.asarray(g.coords)[:, :2]
        for g in shapely.get_parts(geom)
        if g.geom_type in ("LineString", "LinearRing") and not g.is_empty
    ]


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``, rounded up to even numbers for H.264.

    >>> parse_size("641x361")
    (642, 362)
    """
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        from ._errors import OptionError

        raise OptionError(f"'{text}' is not a size: write WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (64 <= w <= 7680 and 64 <= h <= 4320):
        from ._errors import OptionError

        raise OptionError(f"size {w}x{h} is out of range (64x64 to 7680x4320)")
    return w + w % 2, h + h % 2


class FrameRenderer:
    """Draws scenes of one world at one size."""

    def __init__(
        self,
        world: World,
        size: tuple[int, int] = (1280, 720),
        *,
        theme: Theme | None = None,
        layered: bool = True,
    ):
        self.world = world
        self.size = size
        self.theme = theme or Theme()
        self.scale = min(size[0] / 1280, size[1] / 720)
        self._layers: list[np.ndarray] | None = None
        with mpl.rc_context({"font.family": self.theme.font}):
            self._build()
            if layered:
                self._bake_static_layers()

    # -- public --------------------------------------------------------------------------------

    def render(self, scene: Scene) -> np.ndarray:
        """The frame of a scene as an (height, width, 3) uint8 array."""
        self._update(scene)
        if self._layers is None:
            self.canvas.draw()
        else:
            self._blit()
        return np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()

    def _blit(self) -> None:
        """Static image under, moving map layers, static image over, panel texts."""
        renderer = self.canvas.get_renderer()
        under, over = self._layers
        renderer.clear()
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, under[::-1])
        for artist in self._dynamic_map:
            self.map_ax.draw_artist(artist)
        renderer.draw_image(gc, 0, 0, over[::-1])
        for artist in self._dynamic_texts:
            self.panel_ax.draw_artist(artist)
        gc.restore()

    def pixel_of(self, lon: float, lat: float) -> tuple[int, int]:
        """The (row, column) of a lon/lat position in this renderer's frames."""
        x, y = self.world.projector.points([lon], [lat])
        px, py = self.map_ax.transData.transform((x[0], y[0]))
        return round(float(self.size[1] - py)), round(float(px))

    def save(self, scene: Scene, path: str | Path) -> None:
        """Write a scene as PNG, SVG or PDF (the extension decides).

        Use a renderer made with ``layered=False`` for vector output that stays vector.
        """
        self._update(scene)
        self.figure.savefig(path, dpi=DPI, facecolor=self.figure.get_facecolor())

    # -- layout --------------------------------------------------------------------------------

    def _pt(self, size: float) -> float:
        return size * self.scale

    def _build(self) -> None:
        w, h = self.size
        t = self.theme
        self.figure = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor=t.panel)
        self.canvas = FigureCanvasAgg(self.figure)
        panel_frac = 0.30
        self.map_ax = self.figure.add_axes((0, 0, 1 - panel_frac, 1))
        self.panel_ax = self.figure.add_axes((1 - panel_frac, 0, panel_frac, 1))
        self.panel_ax.set_axis_off()
        self.panel_ax.set_xlim(0, 1)
        self.panel_ax.set_ylim(0, 1)
        self._panel_px = panel_frac * w
        self._setup_map_axes()
        self._under: list = []
        self._draw_under()
        dynamic_before = set(self._all_artists())
        self._draw_dynamic_map()
        self._dynamic = set(self._all_artists()) - dynamic_before
        self._draw_over()
        self._draw_places()
        self._draw_panel()

    def _all_artists(self) -> list:
        return [*self.map_ax.get_children(), *self.panel_ax.get_children()]

    def _bake_static_layers(self) -> None:
        """Draw what never moves into two images, under and over the moving layers.

        Only the territories, fronts and panel texts are drawn per frame; the sea,
        the land, the masks, the rivers, the labels and the legend are blitted.
        """
        dynamic = self._dynamic | set(self._dynamic_texts)
        children = [
            a for a in self._all_artists() if a not in (self.map_ax.patch, self.panel_ax.patch)
        ]
        static = [a for a in children if a not in dynamic and a.get_visible()]
        under = [a for a in static if a in self._under]
        over = [a for a in static if a not in self._under]
        layers = []
        for keep in (under, over):
            for a in children:
                a.set_visible(a in keep)
            self.map_ax.patch.set_visible(keep is under)
            self.figure.patch.set_visible(keep is under)
            self.canvas.draw()
            layers.append(np.asarray(self.canvas.buffer_rgba()).copy())
        for a in children:
            a.set_visible(a in dynamic)
        self._layers = layers
        self._dynamic_map = [self._territories, self._zones, self._fronts]

    def _setup_map_axes(self) -> None:
        ax = self.map_ax
        ax.set_axis_off()
        ax.set_facecolor(self.theme.sea)
        w, s, e, n = self.world.data.spec.extent
        lon = np.r_[np.linspace(w, e, 50), np.full(50, e), np.linspace(e, w, 50), np.full(50, w)]
        lat = np.r_[np.full(50, s), np.linspace(s, n, 50), np.full(50, n), np.linspace(n, s, 50)]
        x, y = self.world.projector.points(lon, lat)
        x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
        pos = ax.get_position()
        box_aspect = (pos.height * self.size[1]) / (pos.width * self.size[0])
        cx, cy, half_w, half_h = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        # Fill the axes, keeping the scale equal and the whole extent in view.
        if half_h / half_w > box_aspect:
            half_w = half_h / box_aspect
        else:
            half_h = half_w * box_aspect
        ax.set_xlim(cx - half_w, cx + half_w)
        ax.set_ylim(cy - half_h, cy + half_h)
        self._view = shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)

    def _draw_under(self) -> None:
        ax, t = self.map_ax, self.theme
        sea = mpl.patches.Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=t.sea, zorder=0)
        land = mpl.patches.PathPatch(
            polygon_path(self.world.basemap.land), facecolor=t.land, edgecolor="none", zorder=1
        )
        panel = mpl.patches.Rectangle((0, 0), 1, 1, facecolor=t.panel, zorder=0)
        ax.add_patch(sea)
        ax.add_patch(land)
        self.panel_ax.add_patch(panel)
        self._under = [sea, land, panel]

    def _draw_dynamic_map(self) -> None:
        t = self.theme
        self._territories = PathCollection([], zorder=2, edgecolor="none")
        self.map_ax.add_collection(self._territories)
        self._zones = PathCollection(
            [],
            zorder=2.2,
            facecolor=(1, 1, 1, 0.55),
            edgecolor=t.muted,
            hatch="////",
            linewidth=self._pt(0.5),
        )
        self.map_ax.add_collection(self._zones)
        halo = [
            patheffects.Stroke(linewidth=self._pt(5), foreground="white", alpha=0.8),
            patheffects.Normal(),
        ]
        self._fronts = LineCollection(
            [],
            colors=t.front,
            linewidths=self._pt(2.4),
            zorder=2.5,
            capstyle="round",
            joinstyle="round",
            path_effects=halo,
        )
        self.map_ax.add_collection(self._fronts)

    def _draw_over(self) -> None:
        """Masks that keep the moving layers on the shared land, then the linework."""
        ax, t, base = self.map_ax, self.theme, self.world.basemap
        view = self._view
        sea_mask = shapely.difference(view, base.land)
        foreign = shapely.difference(shapely.intersection(base.land, view), self.world.land)
        ax.add_patch(
            mpl.patches.PathPatch(
                polygon_path(sea_mask), facecolor=t.sea, edgecolor="none", zorder=3
            )
        )
        ax.add_patch(
            mpl.patches.PathPatch(
                polygon_path(foreign), facecolor=t.land, edgecolor="none", zorder=3
            )
        )
        ax.add_patch(
            mpl.patches.PathPatch(
                polygon_path(base.lakes),
                facecolor=t.sea,
                edgecolor=t.coast,
                linewidth=self._pt(0.4),
                zorder=3,
            )
        )
        ax.add_collection(
            LineCollection(
                line_segments(base.rivers), colors=t.river, linewidths=self._pt(0.6), zorder=3
            )
        )
        ax.add_collection(
            LineCollection(
                line_segments(base.land.boundary),
                colors=t.coast,
                linewidths=self._pt(0.6),
                zorder=4,
            )
        )
        ax.add_collection(
            LineCollection(
                line_segments(base.borders),
                colors=t.border,
                linewidths=self._pt(1.0),
                linestyles=(0, (4, 2)),
                zorder=4,
            )
        )
        self._draw_reference_lines()

    def _draw_reference_lines(self) -> None:
        w, _, e, _ = self.world.data.spec.extent
        for ref in self.world.data.spec.reference_lines:
            lon = np.linspace(w, e, 100)
            x, y = self.world.projector.points(lon, np.full_like(lon, ref.latitude))
            self.map_ax.plot(
                x,
                y,
                color=self.theme.muted,
                linewidth=self._pt(1.1),
                linestyle=(0, (6, 4)),
                zorder=5,
            )
            xmin = self.map_ax.get_xlim()[0]
            self.map_ax.annotate(
                ref.label,
                (xmin, np.interp(xmin, x, y)),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=self._pt(9),
                color=self.theme.muted,
                style="italic",
                zorder=5,
                path_effects=self._halo(),
            )

    def _halo(self, width: float = 2.5) -> list:
        return [patheffects.withStroke(linewidth=self._pt(width), foreground="white")]

    def _draw_places(self) -> None:
        places = self.world.data.places.sort_values("rank", kind="stable")
        if places.empty:
            return
        ax = self.map_ax
        self._placed: list = []
        x, y = self.world.projector.points(places.geometry.x, places.geometry.y)
        for (x_, y_), row in zip(zip(x, y, strict=True), places.itertuples(), strict=True):
            if not self._view.contains(shapely.Point(x_, y_)):
                continue
            kind = row.kind
            if kind == "country":
                self._area_label(
                    ax.text(
                        x_,
                        y_,
                        row.name.upper(),
                        fontsize=self._pt(11),
                        color=self.theme.muted,
                        ha="center",
                        va="center",
                        alpha=0.8,
                        zorder=7,
                        fontweight="bold",
                    )
                )
            elif kind == "sea":
                self._area_label(
                    ax.text(
                        x_,
                        y_,
                        row.name,
                        fontsize=self._pt(10),
                        color="#4f7a99",
                        ha="center",
                        va="center",
                        style="italic",
                        zorder=7,
                    )
                )
            elif kind == "city" and row.rank <= 3:
                self._city(x_, y_, row.name, row.rank)

    def _area_label(self, text) -> None:
        """Keep a country or sea label unless it collides with one placed before it."""
        box = text.get_window_extent(self.canvas.get_renderer())
        if any(box.overlaps(other) for other in self._placed):
            text.remove()
        else:
            self._placed.append(box)

    def _city(self, x: float, y: float, name: str, rank: int) -> None:
        """A city dot and a label in the first free position round it, or no label at all."""
        renderer = self.canvas.get_renderer()
        frame = self.map_ax.get_window_extent(renderer)
        gap = self._pt(3)
        for dx, dy, ha, va in (
            (gap, gap, "left", "bottom"),
            (gap, -gap, "left", "top"),
            (-gap, gap, "right", "bottom"),
            (-gap, -gap, "right", "top"),
        ):
            label = self.map_ax.annotate(
                name,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=self._pt({1: 10, 2: 8.5, 3: 7.5}[rank]),
                fontweight="bold" if rank == 1 else "normal",
                color=self.theme.text,
                zorder=8,
                path_effects=self._halo(),
            )
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in self._placed):
                self._placed.append(box)
                break
            label.remove()
        else:
            if rank > 1:
                return
        size = {1: 7, 2: 5, 3: 3.5}[rank]
        self.map_ax.plot(
            x,
            y,
            marker="s" if rank == 1 else "o",
            markersize=self._pt(size),
            color=self.theme.text,
            markeredgecolor="white",
            markeredgewidth=self._pt(0.8),
            zorder=8,
        )

    def _draw_panel(self) -> None:
        ax, t, spec = self.panel_ax, self.theme, self.world.data.spec
        ax.plot([0, 0], [0, 1], color="#d9d4c7", linewidth=self._pt(1.5))
        pad = 0.08
        ax.text(
            pad, 0.95, spec.title, fontsize=self._pt(20), fontweight="bold", color=t.text, va="top"
        )
        ax.text(pad, 0.885, spec.subtitle, fontsize=self._pt(10.5), color=t.muted, va="top")
        self._date = ax.text(
            pad, 0.80, "", fontsize=self._pt(21), fontweight="bold", color=t.text, va="top"
        )
        self._phase = ax.text(
            pad, 0.70, "", fontsize=self._pt(10), color=t.muted, va="top", style="italic"
        )
        self._event_title = ax.text(
            pad, 0.63, "", fontsize=self._pt(12), fontweight="bold", color=t.text, va="top"
        )
        self._caption = ax.text(
            pad, 0.575, "", fontsize=self._pt(10), color=t.text, va="top", linespacing=1.35
        )
        # Points to pixels (DPI/72), times an average glyph width of about 0.55 em.
        char_px = self._pt(10) * DPI / 72 * 0.56
        self._caption_chars = max(16, int(self._panel_px * (1 - 2 * pad) / char_px))
        self._title_chars = int(self._caption_chars * 0.78)
        self._dynamic_texts = [self._date, self._phase, self._event_title, self._caption]
        self._draw_legend()
        ax.text(
            pad,
            0.02,
            textwrap.fill(spec.credits, self._caption_chars + 12),
            fontsize=self._pt(6.5),
            color=t.muted,
            va="bottom",
            linespacing=1.2,
        )

    def _draw_legend(self) -> None:
        t, spec = self.theme, self.world.data.spec
        handles = [
            Patch(facecolor=s.colour, alpha=t.territory_alpha, label=s.name) for s in spec.sides
        ]
        handles.append(Line2D([], [], color=t.front, linewidth=self._pt(2.4), label="Front line"))
        if any(p["kind"] == "dmz" for s in self.world.data.snapshots for _, p in s.extras):
            handles.append(
                Patch(
                    facecolor="white", edgecolor=t.muted, hatch="////", label="Demilitarized zone"
                )
            )
        for ref in spec.reference_lines:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=t.muted,
                    linestyle=(0, (6, 4)),
                    linewidth=self._pt(1.1),
                    label=ref.label,
                )
            )
        self.panel_ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.05, 0.07),
            frameon=False,
            fontsize=self._pt(9),
            handlelength=2.2,
            borderaxespad=0,
        )

    # -- per frame -----------------------------------------------------------------------------

    def _update(self, scene: Scene) -> None:
        spec, t = self.world.data.spec, self.theme
        sides = [s for s in spec.sides if s.id in scene.regions]
        self._territories.set_paths([polygon_path(scene.regions[s.id]) for s in sides])
        self._territories.set_facecolor(
            [mpl.colors.to_rgba(s.colour, t.territory_alpha) for s in sides]
        )
        self._fronts.set_segments([line for lines, _, _ in scene.boundaries for line in lines])
        self._zones.set_paths([polygon_path(z) for z in scene.zones])
        self._date.set_text(format_long(scene.date))
        self._phase.set_text(scene.phase or "")
        event = scene.event
        self._event_title.set_text(
            textwrap.fill(event["title"], self._title_chars) if event else ""
        )
        self._caption.set_text(
            textwrap.fill(event["caption"], self._caption_chars) if event else ""
        )
        # A long title pushes the caption down.
        lines = self._event_title.get_text().count("\n")
        self._caption.set_y(0.575 - lines * 0.045)
