"""Drawing scenes with matplotlib: the only module that knows about pixels.

A :class:`FrameRenderer` builds one figure per output size. For animations the
layers that never move (sea, relief, land, masks, rivers, labels, legend,
timeline) are drawn once into two images, one under and one over the moving
layers; each frame then blits them around the few artists that change
(territories, fronts, arrows, markers, date, caption, timeline cursor).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib as mpl
import numpy as np
import shapely
import shapely.geometry.polygon
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from ._dates import format_long, from_day, to_day
from .basemap import relief_shade
from .layout import Layout, frame_layout
from .scene import Scene, World
from .story import Story
from .style import Theme

DPI = 100


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


def darker(colour: str, amount: float = 0.25) -> tuple[float, float, float]:
    rgb = np.array(mpl.colors.to_rgb(colour))
    return tuple(rgb * (1 - amount))


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


MARKERS = {"political": "D", "armistice": "*", "landing": "^", "evacuation": "s"}
SHAFT_STYLES = {"landing": (0, (3, 1.5)), "evacuation": (0, (1, 1.2)), "retreat": (0, (5, 2))}


class FrameRenderer:
    """Draws scenes of one world at one size.

    Parameters
    ----------
    world : World
        The projected map.
    size : (int, int)
        Frame size in pixels.
    story : Story, optional
        The paced story of a video: its timeline is drawn in video time. Without
        it (stills) the timeline runs in calendar time.
    layered : bool
        Blit the static layers (fast, for animations); ``False`` keeps every
        artist live, for vector stills.
    """

    def __init__(
        self,
        world: World,
        size: tuple[int, int] = (1280, 720),
        *,
        story: Story | None = None,
        theme: Theme | None = None,
        layered: bool = True,
    ):
        self.world = world
        self.size = size
        self.story = story
        self.theme = theme or Theme.from_table(world.data.spec.theme)
        self.layout: Layout = frame_layout(size)
        self.scale = self.layout.scale
        self._static: np.ndarray | None = None
        with mpl.rc_context({"font.family": self.theme.font, "hatch.linewidth": self.scale}):
            self._build()
            if layered:
                self._bake_static_layers()

    # -- public --------------------------------------------------------------------------------

    def render(self, scene: Scene) -> np.ndarray:
        """The frame of a scene as an (height, width, 3) uint8 array."""
        return self.render_rgba(scene)[:, :, :3].copy()

    def render_rgba(self, scene: Scene, out: np.ndarray | None = None) -> np.ndarray:
        """The frame of a scene as an (height, width, 4) uint8 array, alpha 255.

        Cheaper than :meth:`render`: the canvas is copied as it is, and encoders take
        RGBA. ``out``, an array of that shape, takes the frame instead of a new array.
        """
        new_areas = self._update(scene)
        if self._static is None:
            with self._hatching():
                self.canvas.draw()
        else:
            self._blit(new_areas=new_areas)
        if out is None:
            return self._pixels().copy()
        np.copyto(out, self._pixels())
        return out

    def pixel_of(self, lon: float, lat: float) -> tuple[int, int]:
        """The (row, column) of a lon/lat position in this renderer's frames."""
        x, y = self.world.projector.points([lon], [lat])
        px, py = self.map_ax.transData.transform((x[0], y[0]))
        return round(float(self.size[1] - py)), round(float(px))

    def label_boxes(self) -> list:
        """Window extents of every label placed on the map (for tests of overlap)."""
        return list(self._placed)

    def save(self, scene: Scene, path: str | Path) -> None:
        """Write a scene as PNG, SVG or PDF (the extension decides).

        Use a renderer made with ``layered=False`` for vector output that stays vector.
        """
        with self._hatching():
            self._update(scene)
            # Light PNG compression: a still is written once and read once, mostly.
            extra = (
                {"pil_kwargs": {"compress_level": 3}} if str(path).lower().endswith(".png") else {}
            )
            self.figure.savefig(path, dpi=DPI, facecolor=self.figure.get_facecolor(), **extra)

    # -- building ------------------------------------------------------------------------------

    def _hatching(self):
        """Hatches (the demilitarized zone) scaled with the frame, for drawing them."""
        return mpl.rc_context({"hatch.linewidth": self.scale})

    def _pt(self, size: float) -> float:
        return size * self.scale

    def _build(self) -> None:
        w, h = self.size
        lay = self.layout
        self.figure = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor=self.theme.panel)
        self.canvas = FigureCanvasAgg(self.figure)
        self.map_ax = self.figure.add_axes(lay.map)
        self.panel_ax = self.figure.add_axes(lay.panel)
        self.time_ax = self.figure.add_axes(lay.timeline)
        for ax in (self.panel_ax, self.time_ax):
            ax.set_axis_off()
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
        self._placed: list = []
        self._setup_map_axes()
        self._under: list = []
        self._draw_under()
        before = set(self._all_artists())
        self._draw_dynamic_map()
        self._draw_timeline_cursor()
        self._dynamic = set(self._all_artists()) - before
        self._draw_over()
        self._draw_places()
        self._draw_scale_bar()
        self._draw_panel()
        self._draw_timeline()

    def _all_artists(self) -> list:
        axes = (self.map_ax, self.panel_ax, self.time_ax)
        return [a for ax in axes for a in ax.get_children() if a is not ax.patch]

    def _bake_static_layers(self) -> None:
        """Draw what never moves once: the whole static image, and the static layers of the
        map that lie over the moving areas (masks, coast, rivers) and over the moving
        symbols (labels)."""
        dynamic = self._dynamic | set(self._dynamic_texts)
        children = self._all_artists()
        static = [a for a in children if a not in dynamic and a.get_visible()]
        on_map = [a for a in static if a.axes is self.map_ax and a not in self._under]
        level = min(a.get_zorder() for a in self._symbols)
        box = self._map_box()
        under = self._draw_only(children, [a for a in static if a in self._under]).copy()
        self._static = self._draw_only(children, static).copy()
        # Only the map has moving layers under static ones: elsewhere the static image is final.
        self._static[box] = under[box]
        self.figure.patch.set_visible(False)
        self._over_areas = self._bottom_up(
            self._draw_only(children, [a for a in on_map if a.get_zorder() < level]), box
        )
        self._over_symbols = self._bottom_up(
            self._draw_only(children, [a for a in on_map if a.get_zorder() >= level]), box
        )
        self.figure.patch.set_visible(True)
        for a in children:
            a.set_visible(a in dynamic)
        self._with_areas = np.empty_like(self._static)

    def _draw_only(self, children: list, keep: list) -> np.ndarray:
        for a in children:
            a.set_visible(a in keep)
        self.canvas.draw()
        return self._pixels()

    def _map_box(self) -> tuple[slice, slice]:
        """The rows and columns wholly inside the map's axes. Only static layers show on
        the pixels of its edge, so the static image holds those as the figure draws them."""
        return self._rows_cols(self.map_ax.get_window_extent(self.canvas.get_renderer()), -1)

    def _rows_cols(self, box, grow: int) -> tuple[slice, slice]:
        """The pixels of a window box, as rows (from the top) and columns of a frame:
        rounded outwards and padded by ``grow`` pixels, or rounded inwards if it is -1."""
        w, h = self.size
        if grow < 0:
            x0, x1, y0, y1 = np.ceil(box.x0), np.floor(box.x1), np.ceil(box.y0), np.floor(box.y1)
        else:
            box = box.padded(grow)
            x0, x1, y0, y1 = np.floor(box.x0), np.ceil(box.x1), np.floor(box.y0), np.ceil(box.y1)
        x0, x1 = max(0, int(x0)), min(w, int(x1))
        y0, y1 = max(0, int(y0)), min(h, int(y1))
        return slice(h - y1, h - y0), slice(x0, x1)

    def _bottom_up(self, pixels: np.ndarray, box: tuple[slice, slice]) -> tuple:
        """The pixels of ``box`` as ``draw_image`` takes them: rows bottom up, placed by
        their lower left corner."""
        rows, cols = box
        return cols.start, self.size[1] - rows.stop, np.ascontiguousarray(pixels[box][::-1])

    def _pixels(self) -> np.ndarray:
        """The canvas as a writable (height, width, 4) view."""
        return np.asarray(self.canvas.get_renderer().buffer_rgba())

    def _blit(self, *, new_areas: bool) -> None:
        """The static image and the moving layers between the static layers of the map,
        then the moving texts. The map up to its areas is kept while the areas stay."""
        renderer = self.canvas.get_renderer()
        gc = renderer.new_gc()
        if new_areas:
            np.copyto(self._pixels(), self._static)
            with self._hatching():
                for artist in self._areas:
                    artist.draw(renderer)
            renderer.draw_image(gc, *self._over_areas)
            np.copyto(self._with_areas, self._pixels())
        else:
            np.copyto(self._pixels(), self._with_areas)
        for artist in self._symbols:
            if len(artist.get_paths()) and len(artist.get_offsets()):  # else nothing to draw
                artist.draw(renderer)
        renderer.draw_image(gc, *self._over_symbols)
        gc.restore()
        for text in self._dynamic_texts:
            self._draw_text_cached(text, renderer)
        for artist in self._cursor:
            artist.draw(renderer)

    def _draw_text_cached(self, text, renderer) -> None:
        """Panel texts change rarely: draw each once, opaque, and reuse its pixels.

        They sit on the static panel, so the pixels around their ink depend on nothing
        else, and a text faded to alpha ``a`` is the panel blended with them by ``a``.
        """
        alpha = text.get_alpha()
        alpha = 1.0 if alpha is None else alpha
        if not text.get_text() or alpha <= 0.0:
            return
        key = (text.get_text(), text.get_fontsize(), text.get_position())
        cached = self._text_pixels.get(id(text))
        if cached is None or cached[0] != key:
            cached = self._text_pixels[id(text)] = (key, *self._rasterise_text(text, renderer))
        _, region, panel, opaque = cached
        if region is None:
            return
        target = self._pixels()[region]
        if alpha >= 1.0:
            target[...] = opaque
        else:
            weight = np.uint16(round(alpha * 256))
            target[...] = (panel * (256 - weight) + opaque.astype(np.uint16) * weight) >> 8

    def _rasterise_text(self, text, renderer) -> tuple:
        """The box of a text's ink (not its layout box, which may overlap its neighbours'),
        the static pixels there, and the same with the text drawn opaque."""
        region = self._rows_cols(text.get_window_extent(renderer), 2)
        pixels = self._pixels()
        before = pixels[region].copy()
        pixels[region] = self._static[region]
        alpha = text.get_alpha()
        text.set_alpha(1.0)
        text.draw(renderer)
        text.set_alpha(alpha)
        opaque = pixels[region].copy()
        pixels[region] = before
        ink = (opaque != self._static[region]).any(axis=2)
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if not len(rows):
            return None, None, None
        inked = (
            slice(region[0].start + rows[0], region[0].start + rows[-1] + 1),
            slice(region[1].start + cols[0], region[1].start + cols[-1] + 1),
        )
        inner = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        return inked, self._static[inked].astype(np.uint16), opaque[inner]

    def _setup_map_axes(self) -> None:
        ax = self.map_ax
        ax.set_axis_off()
        w, s, e, n = self.world.data.spec.extent
        k = 50
        lon = np.r_[np.linspace(w, e, k), np.full(k, e), np.linspace(e, w, k), np.full(k, w)]
        lat = np.r_[np.full(k, s), np.linspace(s, n, k), np.full(k, n), np.linspace(n, s, k)]
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
        self._metres_per_px = 2 * half_w / (pos.width * self.size[0])

    def _draw_under(self) -> None:
        ax, t = self.map_ax, self.theme
        sea = mpl.patches.Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=t.sea, zorder=0)
        land = mpl.patches.PathPatch(
            polygon_path(self.world.basemap.land), facecolor=t.land, edgecolor="none", zorder=1
        )
        panel = mpl.patches.Rectangle((0, 0), 1, 1, facecolor=t.panel, zorder=0)
        strip = mpl.patches.Rectangle((0, 0), 1, 1, facecolor=t.panel, zorder=0)
        ax.add_artist(sea)
        ax.add_artist(land)
        self.panel_ax.add_patch(panel)
        self.time_ax.add_patch(strip)
        self._under = [sea, land, panel, strip]
        relief = self._relief_image(land)
        if relief is not None:
            self._under.append(relief)

    def _relief_rgb(self) -> np.ndarray:
        """The land colour shaded by relief, one value per two pixels of the map each way
        (computed once): the relief data is several times coarser, and the image is drawn
        with bilinear smoothing, so finer sampling would only cost time."""
        if getattr(self, "_relief_cache", None) is None:
            ax = self.map_ax
            (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
            bbox = ax.get_window_extent(self.canvas.get_renderer())
            cols, rows = max(2, int(bbox.width) // 2), max(2, int(bbox.height) // 2)
            xx, yy = np.meshgrid(np.linspace(x0, x1, cols), np.linspace(y1, y0, rows))
            lon, lat = self.world.projector.inverse_points(xx.ravel(), yy.ravel())
            shade = relief_shade(self.world.data.spec.extent, lon, lat).reshape(rows, cols)
            shade = 1 + self.theme.relief * (shade - 1)
            land = np.array(mpl.colors.to_rgb(self.theme.land))
            self._relief_cache = np.clip(land * shade[..., None], 0, 1)
        return self._relief_cache

    def _relief_image(self, clip: mpl.patches.Patch):
        """Hillshade over the land, in the land colour, clipped to the coast."""
        if self.theme.relief <= 0:
            return None
        ax = self.map_ax
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        image = ax.imshow(
            self._relief_rgb(),
            extent=(x0, x1, y0, y1),
            origin="upper",
            zorder=1.5,
            interpolation="bilinear",
            aspect="auto",
        )
        image.set_clip_path(clip)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        return image

    def _draw_dynamic_map(self) -> None:
        t, ax = self.theme, self.map_ax
        self._territories = PathCollection([], zorder=2, edgecolor="none")
        ax.add_collection(self._territories)
        self._zones = PathCollection(
            [],
            zorder=2.2,
            facecolor=(1, 1, 1, 0.55),
            edgecolor=t.muted,
            hatch="////",
            linewidth=self._pt(0.5),
        )
        ax.add_collection(self._zones)
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
        ax.add_collection(self._fronts)
        outline = [
            patheffects.Stroke(linewidth=self._pt(6.5), foreground="white", alpha=0.85),
            patheffects.Normal(),
        ]
        self._shafts = LineCollection(
            [], zorder=6, capstyle="butt", joinstyle="round", path_effects=outline
        )
        self._heads = PolyCollection([], zorder=6.1, edgecolor="white", linewidth=self._pt(0.8))
        ax.add_collection(self._shafts)
        ax.add_collection(self._heads)
        self._markers = {
            shape: ax.scatter(
                [], [], marker=shape, zorder=6.2, edgecolors="white", linewidths=self._pt(1.0)
            )
            for shape in ("o", *MARKERS.values())
        }
        self._areas = [self._territories, self._zones, self._fronts]
        self._symbols = [self._shafts, self._heads, *self._markers.values()]
        self._areas_key: tuple | None = None

    def _draw_over(self) -> None:
        """Masks that keep the moving layers on the shared land, then the linework."""
        ax, t, base = self.map_ax, self.theme, self.world.basemap
        sea_mask = shapely.difference(self._view, base.land)
        foreign = shapely.difference(shapely.intersection(base.land, self._view), self.world.land)
        # add_artist, not add_patch: the limits are fixed, and add_patch would walk
        # every vertex of the coast to update them.
        ax.add_artist(
            mpl.patches.PathPatch(
                polygon_path(sea_mask), facecolor=t.sea, edgecolor="none", zorder=3
            )
        )
        foreign_patch = mpl.patches.PathPatch(
            polygon_path(foreign), facecolor=t.land, edgecolor="none", zorder=3
        )
        ax.add_artist(foreign_patch)
        relief = self._relief_image(foreign_patch)
        if relief is not None:
            relief.set_zorder(3.05)
        ax.add_artist(
            mpl.patches.PathPatch(
                polygon_path(base.lakes),
                facecolor=t.sea,
                edgecolor=t.coast,
                linewidth=self._pt(0.4),
                zorder=3.1,
            )
        )
        ax.add_collection(
            LineCollection(
                line_segments(base.rivers), colors=t.river, linewidths=self._pt(0.7), zorder=3.1
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
            label = self.map_ax.annotate(
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
            self._placed.append(label.get_window_extent(self.canvas.get_renderer()))

    def _halo(self, width: float = 2.5) -> list:
        return [patheffects.withStroke(linewidth=self._pt(width), foreground="white")]

    # -- labels --------------------------------------------------------------------------------

    def _draw_places(self) -> None:
        places = self.world.data.places.sort_values("rank", kind="stable")
        if places.empty:
            return
        ax = self.map_ax
        x, y = self.world.projector.points(places.geometry.x, places.geometry.y)
        max_rank = 3 if self.size[1] >= 500 else 2
        for x_, y_, row in zip(x, y, places.itertuples(), strict=True):
            if not self._view.contains(shapely.Point(x_, y_)):
                continue
            if row.kind == "country":
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
            elif row.kind in ("sea", "lake"):
                size = 10 if row.kind == "sea" else 7.5
                self._area_label(
                    ax.text(
                        x_,
                        y_,
                        row.name,
                        fontsize=self._pt(size),
                        color="#4f7a99",
                        ha="center",
                        va="center",
                        style="italic",
                        zorder=7,
                        path_effects=self._halo(2),
                    )
                )
            elif row.kind == "city" and row.rank <= max_rank:
                self._city(x_, y_, row.name, row.rank)

    def _fits(self, box) -> bool:
        frame = self.map_ax.get_window_extent(self.canvas.get_renderer())
        inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
        return inside and not any(box.overlaps(other) for other in self._placed)

    def _area_label(self, text) -> None:
        """Keep a country, sea or lake label unless it collides with one placed before it."""
        box = text.get_window_extent(self.canvas.get_renderer())
        if self._fits(box):
            self._placed.append(box)
        else:
            text.remove()

    def _city(self, x: float, y: float, name: str, rank: int) -> None:
        """A city dot and a label in the first free position round it, or no label at all."""
        renderer = self.canvas.get_renderer()
        gap = self._pt(3)
        placed = False
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
            if self._fits(box):
                self._placed.append(box)
                placed = True
                break
            label.remove()
        if not placed and rank > 1:
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

    def _draw_scale_bar(self) -> None:
        """A bar of a round number of kilometres, about a fifth of the map's width."""
        ax = self.map_ax
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        target_km = (x1 - x0) / 1000 / 5
        km = max(v for v in (10, 20, 50, 100, 200, 300, 500, 1000, 2000) if v <= max(target_km, 10))
        bx, by = x0 + 0.03 * (x1 - x0), y0 + 0.035 * (y1 - y0)
        style = {"color": self.theme.text, "zorder": 9, "solid_capstyle": "butt"}
        ax.plot([bx, bx + km * 1000], [by, by], linewidth=self._pt(3), **style)
        ax.plot([bx, bx + km * 500], [by, by], linewidth=self._pt(1.6), color="white", zorder=9.1)
        label = ax.text(
            bx,
            by + 0.012 * (y1 - y0),
            f"{km} km",
            fontsize=self._pt(8),
            color=self.theme.text,
            zorder=9,
            path_effects=self._halo(),
        )
        self._placed.append(label.get_window_extent(self.canvas.get_renderer()))

    # -- panel ---------------------------------------------------------------------------------

    def _draw_panel(self) -> None:
        ax, t, spec, lay = self.panel_ax, self.theme, self.world.data.spec, self.layout
        p = lay.slots
        if lay.panel_side == "right":
            ax.plot([0, 0], [0, 1], color="#d9d4c7", linewidth=self._pt(1.5))
        else:
            ax.plot([0, 1], [1, 1], color="#d9d4c7", linewidth=self._pt(1.5))
        title = ax.text(
            p.x,
            p.title,
            spec.title,
            fontsize=self._pt(20),
            fontweight="bold",
            color=t.text,
            va="top",
        )
        self._shrink_to_width(title, lay.text_px, smallest=self._pt(12))
        subtitle = ax.text(
            p.x, p.subtitle, spec.subtitle, fontsize=self._pt(10.5), color=t.muted, va="top"
        )
        self._shrink_to_width(subtitle, lay.text_px, smallest=self._pt(7.5))
        self._date = ax.text(
            p.x, p.date, "", fontsize=self._pt(21), fontweight="bold", color=t.text, va="top"
        )
        # Size the date once, on the widest it can be, so that every date fits.
        self._date.set_text("28 September 1950")
        self._shrink_to_width(self._date, lay.text_px, smallest=self._pt(12))
        self._date.set_text("")
        self._phase = ax.text(
            p.x, p.phase, "", fontsize=self._pt(10), color=t.muted, va="top", style="italic"
        )
        self._event_title = ax.text(
            p.x, p.event, "", fontsize=self._pt(12), fontweight="bold", color=t.text, va="top"
        )
        self._caption = ax.text(
            p.x, p.caption, "", fontsize=self._pt(10), color=t.text, va="top", linespacing=1.35
        )
        # Points to pixels (DPI/72), times an average glyph width of about 0.55 em.
        char_px = self._pt(10) * DPI / 72 * 0.56
        self._caption_chars = max(16, int(lay.text_px / char_px))
        self._title_chars = int(self._caption_chars * 0.78)
        self._dynamic_texts = [self._date, self._phase, self._event_title, self._caption]
        self._caption_key: tuple[str, str] | None = None
        self._text_pixels: dict[int, tuple] = {}
        self._draw_legend()
        ax.text(
            p.x,
            p.credits,
            textwrap.fill(spec.credits, int(self._caption_chars * 1.45)),
            fontsize=self._pt(6.5),
            color=t.muted,
            va="bottom",
            linespacing=1.2,
        )

    def _shrink_to_width(self, text, width_px: float, *, smallest: float) -> None:
        """Smaller type until a one-line text fits the panel; cut with an ellipsis at the end."""
        renderer = self.canvas.get_renderer()
        while text.get_window_extent(renderer).width > width_px:
            if text.get_fontsize() > smallest:
                text.set_fontsize(max(smallest, text.get_fontsize() * 0.92))
            else:
                text.set_text(text.get_text()[:-2].rstrip() + "…")

    def _draw_legend(self) -> None:
        t, spec, p = self.theme, self.world.data.spec, self.layout.slots
        handles = [
            Patch(facecolor=s.colour, alpha=t.territory_alpha, label=s.name) for s in spec.sides
        ]
        handles.append(Line2D([], [], color=t.front, linewidth=self._pt(2.4), label="Front line"))
        kinds = set(self.world.data.events["kind"])
        if kinds & {"offensive", "retreat"}:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=t.muted,
                    linewidth=self._pt(3.5),
                    marker=">",
                    markevery=[1],
                    markersize=self._pt(7),
                    label="Offensive",
                )
            )
        for kind, label in (("landing", "Landing"), ("evacuation", "Evacuation")):
            if kind in kinds:
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=t.muted,
                        linestyle=SHAFT_STYLES[kind],
                        linewidth=self._pt(2.5),
                        marker=MARKERS[kind],
                        markevery=[1],
                        markersize=self._pt(6),
                        label=label,
                    )
                )
        if any(p_["kind"] == "dmz" for s in self.world.data.snapshots for _, p_ in s.extras):
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
        # Long side names wrap rather than run off the panel.
        width = self.layout.text_px * (0.75 if self.layout.panel_side == "right" else 0.38)
        chars = max(12, int(width / (self._pt(8.5) * DPI / 72 * 0.55)))
        for handle in handles:
            handle.set_label(textwrap.fill(handle.get_label(), chars))
        self.panel_ax.legend(
            handles=handles,
            loc=p.legend_loc,
            bbox_to_anchor=p.legend_anchor,
            frameon=False,
            fontsize=self._pt(8.5),
            handlelength=2.2,
            borderaxespad=0,
            ncols=p.legend_columns,
            labelspacing=0.35,
        )

    # -- timeline ------------------------------------------------------------------------------

    def _progress_of(self, day: float) -> float:
        spec = self.world.data.spec
        if self.story is not None and self.story.schedule is not None:
            sched = self.story.schedule
            return sched.time_of(day) / sched.duration
        start, end = to_day(spec.start), to_day(spec.end)
        return (day - start) / max(end - start, 1.0)

    def _visible_span(self) -> tuple[float, float]:
        if self.story is not None and self.story.schedule is not None:
            days = self.story.schedule.days
            return float(days[0]), float(days[-1])
        return to_day(self.world.data.spec.start), to_day(self.world.data.spec.end)

    def _draw_timeline(self) -> None:
        """Phases as named bands, years as ticks, in video time (or calendar time for stills)."""
        ax, t = self.time_ax, self.theme
        first, last = self._visible_span()
        bar_y, bar_h = 0.38, 0.36
        ax.add_patch(
            mpl.patches.Rectangle(
                (0.01, bar_y), 0.98, bar_h, facecolor=t.timeline, edgecolor="none", zorder=1
            )
        )
        for n, phase in enumerate(self.world.data.spec.phases):
            a = max(to_day(phase.start), first)
            b = min(to_day(phase.end) + 1, last)
            if b <= a:
                continue
            x0, x1 = (0.01 + 0.98 * self._progress_of(d) for d in (a, b))
            if b >= last:  # the last phase runs to the end, its closing holds included
                x1 = 0.99
            ax.add_patch(
                mpl.patches.Rectangle(
                    (x0, bar_y),
                    x1 - x0,
                    bar_h,
                    facecolor=PHASE_SHADES[n % 2],
                    edgecolor="white",
                    linewidth=self._pt(0.8),
                    zorder=2,
                )
            )
            self._fit_text(ax, (x0 + x1) / 2, bar_y + bar_h / 2, phase.name, x1 - x0)
        for year in range(from_day(first).year + 1, from_day(last).year + 1):
            day = to_day(f"{year}-01-01")
            x = 0.01 + 0.98 * self._progress_of(day)
            ax.plot([x, x], [bar_y - 0.08, bar_y], color=t.muted, linewidth=self._pt(0.8))
            ax.text(
                x,
                bar_y - 0.1,
                str(year),
                ha="center",
                va="top",
                fontsize=self._pt(7.5),
                color=t.muted,
            )

    def _fit_text(self, ax, x: float, y: float, text: str, width: float) -> None:
        """A phase name centred in its band, smaller or shortened to fit, or left out."""
        renderer = self.canvas.get_renderer()
        avail = width * ax.get_window_extent(renderer).width - self._pt(6)
        for size in (8, 7, 6):
            label = ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                fontsize=self._pt(size),
                color=self.theme.text,
                zorder=3,
            )
            if label.get_window_extent(renderer).width <= avail:
                return
            label.remove()

    def _draw_timeline_cursor(self) -> None:
        ax = self.time_ax
        self._played = mpl.patches.Rectangle(
            (0.01, 0.38),
            0,
            0.36,
            facecolor="#000000",
            alpha=PLAYED_SHADE,
            edgecolor="none",
            zorder=4,
        )
        ax.add_patch(self._played)
        (self._needle,) = ax.plot(
            [0.01, 0.01],
            [0.3, 0.82],
            color=self.theme.front,
            linewidth=self._pt(2.2),
            zorder=5,
            solid_capstyle="butt",
        )
        self._cursor = [self._played, self._needle]

    # -- per frame -----------------------------------------------------------------------------

    def _update(self, scene: Scene) -> bool:
        """Set every moving artist to ``scene``; whether the areas changed."""
        new_areas = self._update_areas(scene)
        self._update_arrows(scene)
        self._update_markers(scene)
        self._date.set_text(format_long(scene.date))
        self._phase.set_text(scene.phase or "")
        self._update_caption(scene)
        x = 0.01 + 0.98 * scene.progress
        self._played.set_width(x - 0.01)
        self._needle.set_xdata([x, x])
        return new_areas

    def _update_areas(self, scene: Scene) -> bool:
        """Territories, fronts and zones, unless they are the ones already set (a held date)."""
        # The geometries themselves are kept in the key, so their ids cannot be reused.
        key = (scene.day, *scene.regions.values(), *scene.zones)
        last = self._areas_key
        if (
            last is not None
            and len(key) == len(last)
            and key[0] == last[0]
            and all(a is b for a, b in zip(key[1:], last[1:], strict=True))
        ):
            return False
        spec, t = self.world.data.spec, self.theme
        sides = [s for s in spec.sides if s.id in scene.regions]
        self._territories.set_paths([polygon_path(scene.regions[s.id]) for s in sides])
        self._territories.set_facecolor(
            [mpl.colors.to_rgba(s.colour, t.territory_alpha) for s in sides]
        )
        self._fronts.set_segments([line for lines, _, _ in scene.boundaries for line in lines])
        self._zones.set_paths([polygon_path(z) for z in scene.zones])
        self._areas_key = key
        return True

    def _side_colour(self, side: str) -> tuple:
        spec = self.world.data.spec
        known = {s.id: s.colour for s in spec.sides}
        return darker(known.get(side, self.theme.muted), 0.15)

    def _update_arrows(self, scene: Scene) -> None:
        shafts, colours, styles, heads, head_colours = [], [], [], [], []
        head_len = self._pt(13) * self._metres_per_px
        for arrow in scene.arrows:
            xy = arrow.xy
            if len(xy) < 2:
                continue
            rgba = (*self._side_colour(arrow.side), arrow.alpha)
            tip, back = xy[-1], xy[-2]
            direction = tip - back
            norm = np.hypot(*direction)
            if norm == 0:
                continue
            u = direction / norm
            normal = np.array([-u[1], u[0]])
            base = tip - u * head_len
            # Stop the shaft under the head, so the tip stays sharp.
            keep = np.hypot(*(xy - tip).T) > head_len * 0.8
            shafts.append(np.vstack([xy[keep], base]) if keep.any() else np.vstack([xy[0], base]))
            colours.append(rgba)
            styles.append(SHAFT_STYLES.get(arrow.kind, "solid"))
            heads.append([tip, base + normal * head_len * 0.6, base - normal * head_len * 0.6])
            head_colours.append(rgba)
        self._shafts.set_segments(shafts)
        self._shafts.set_color(colours)
        self._shafts.set_linestyles(styles or "solid")
        self._shafts.set_linewidths(self._pt(4.2))
        self._heads.set_verts(heads)
        self._heads.set_facecolor(head_colours)

    def _update_markers(self, scene: Scene) -> None:
        groups: dict[str, list] = {shape: [] for shape in self._markers}
        for m in scene.markers:
            groups[MARKERS.get(m.kind, "o")].append(m)
        for shape, collection in self._markers.items():
            items = groups[shape]
            collection.set_offsets(np.array([[m.x, m.y] for m in items]).reshape(-1, 2))
            base = 120 if shape == "*" else 70
            collection.set_sizes([base * m.size * self.scale**2 for m in items])
            collection.set_facecolor([(*self._side_colour(m.side), m.alpha) for m in items])

    def _update_caption(self, scene: Scene) -> None:
        if scene.main_events:
            self._caption_key = None
            self._event_title.set_text("Main events")
            self._caption.set_text(self._numbered_list(scene.main_events))
            self._event_title.set_alpha(1)
            self._caption.set_alpha(1)
            self._number_markers(scene)
            return
        event = scene.event
        key = (event["title"], event["caption"]) if event else ("", "")
        if key != self._caption_key:
            self._caption_key = key
            self._fit_caption(*key)
        self._event_title.set_alpha(scene.caption_alpha)
        self._caption.set_alpha(scene.caption_alpha)

    def _fit_caption(self, title: str, caption: str) -> None:
        """Wrap the caption to the panel; shrink its type until it clears the legend."""
        base = self._pt(10)
        room_bottom = self._legend_top()
        for factor in (1.0, 0.9, 0.8, 0.72, 0.65):
            chars = int(self._caption_chars / factor)
            self._event_title.set_text(textwrap.fill(title, int(chars * 0.78)))
            # A long title pushes the caption down.
            lines = self._event_title.get_text().count("\n")
            self._caption.set_y(self.layout.slots.caption - lines * self.layout.slots.line)
            self._caption.set_fontsize(base * factor)
            self._caption.set_text(textwrap.fill(caption, chars))
            box = self._caption.get_window_extent(self.canvas.get_renderer())
            if box.y0 >= room_bottom:
                return

    def _legend_top(self) -> float:
        """How low a caption may reach: above the legend beside the map, else the panel foot."""
        r = self.canvas.get_renderer()
        legend = self.panel_ax.get_legend()
        if legend is None or self.layout.panel_side != "right":
            return self.panel_ax.get_window_extent(r).y0
        return legend.get_window_extent(r).y1 + self._pt(4)

    def _numbered_list(self, events: list[dict]) -> str:
        lines = []
        for n, e in enumerate(events, start=1):
            when = f"{e['date'].day} {e['date']:%b %Y}"
            text = textwrap.fill(
                f"{n}. {when}: {e['title']}", self._caption_chars, subsequent_indent="    "
            )
            lines.append(text)
        return "\n".join(lines)

    def _number_markers(self, scene: Scene) -> None:
        """Numbers beside the markers of a still, matching the main-events list."""
        for m in scene.markers:
            if m.number is None:
                continue
            self.map_ax.annotate(
                str(m.number),
                (m.x, m.y),
                xytext=(0, self._pt(9)),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=self._pt(9),
                fontweight="bold",
                color="white",
                zorder=9,
                bbox={
                    "boxstyle": "circle,pad=0.25",
                    "facecolor": self._side_colour(m.side),
                    "edgecolor": "white",
                    "linewidth": self._pt(0.8),
                },
            )
