"""The frame renderer: a figure, a stack of layers, and the compositor that blits them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np

from ..layout import frame_layout
from ..scene import FittedView, Scene, View, World
from ..story import Story
from ..style import Theme
from .compositor import Compositor
from .context import DPI, DrawContext
from .fonts import families, quiet_glyph_warnings
from .layers.areas import Areas
from .layers.base import Band, Depends, Layer
from .layers.ground import Ground, Masks, PanelGround
from .layers.inset import Inset
from .layers.linework import Linework, ReferenceLines
from .layers.panel import PanelFooter, PanelHeading, PanelTexts
from .layers.places import Places
from .layers.scalebar import ScaleBar
from .layers.shares import PanelShares
from .layers.symbols import Symbols
from .layers.timebar import Cursor, TimeBar
from .moving import GroundRaster, Step, plan_steps

STACK: tuple[type[Layer], ...] = (
    Ground,
    PanelGround,
    Areas,
    Symbols,
    Cursor,
    Masks,
    Linework,
    ReferenceLines,
    Inset,
    ScaleBar,
    Places,
    PanelHeading,
    PanelTexts,
    PanelFooter,
    PanelShares,
    TimeBar,
)
"""The layers in the order they are built (which also orders artists of equal z-order);
each layer's band, not this order, says where its pixels go in the composite."""


@dataclass(frozen=True)
class FrameReport:
    """What a renderer has drawn, in window pixels (origin at the bottom left)."""

    layers: list[tuple[str, str, str]]
    """Each layer's name, what it depends on and its band, in build order."""
    view: FittedView
    map_box: object
    panel_box: object
    label_boxes: list
    """The boxes of the labels placed on the map (reference lines, places, scale bar)."""
    texts: dict
    """The boxes of the panel's moving texts: date, phase, event_title, caption."""
    legend_box: object | None
    heading: dict
    """The boxes of the panel's title and subtitle."""
    badges: list = ()
    """On a still, the numbered badges on the map: (number, box), in the list's order."""


def frame_steps(world: World, size: tuple[int, int], views: Sequence[View | None]) -> list[Step]:
    """How each frame of a plan of ``size`` showing ``views`` is drawn (see
    :func:`.moving.plan_steps`), for :meth:`FrameRenderer.render_rgba`."""
    _, _, width, height = frame_layout(size).map
    fitted = [(v or world.overview).fit(size) for v in views]
    return plan_steps(fitted, (width * size[0], height * size[1]))


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
        self.theme = theme or Theme.from_table(world.data.spec.theme)
        self.ctx = DrawContext(world, size, story, self.theme)
        self.layers = [layer(self.ctx) for layer in STACK]
        self.compositor = Compositor(self.ctx, self.layers) if layered else None
        self._saved: Scene | None = None
        self._last_view: FittedView | None = None
        self._exact = False
        """Whether the view's layers are drawn for the view shown (not resampled); they are
        first built with the first scene, so its labels keep off its fronts and arrows."""
        self._raster: GroundRaster | None = None
        self._raster_for: tuple[FittedView, ...] = ()
        """The views the raster was made for (a plan's group of moving frames)."""
        self._moved: tuple | None = None
        """The view and raster of the moving frame last drawn (cleared by an exact one)."""
        with self._fonts():
            self.ctx.set_view(world.overview.fit(size))
            for layer in self.layers:
                if layer.depends is not Depends.VIEW:
                    self._build(layer)

    # -- public --------------------------------------------------------------------------------

    @property
    def figure(self):
        return self.ctx.figure

    @property
    def canvas(self):
        return self.ctx.canvas

    @property
    def map_ax(self):
        return self.ctx.map_ax

    @property
    def panel_ax(self):
        return self.ctx.panel_ax

    def render(self, scene: Scene) -> np.ndarray:
        """The frame of a scene as an (height, width, 3) uint8 array."""
        return self.render_rgba(scene)[:, :, :3].copy()

    def render_rgba(
        self,
        scene: Scene,
        out: np.ndarray | None = None,
        *,
        step: Step | None = None,
        first: Callable[[], Scene] | None = None,
    ) -> np.ndarray:
        """The frame of a scene as an (height, width, 4) uint8 array, alpha 255.

        Cheaper than :meth:`render`: the canvas is copied as it is, and encoders take
        RGBA. ``out``, an array of that shape, takes the frame instead of a new array.
        ``step``, how the frame is drawn as a video's plan decides it (:func:`frame_steps`),
        draws a moving view from its group's raster and a held view exactly from its
        first frame, whichever frames this renderer drew before; without it a view is
        taken to hold once it repeats. ``first`` gives the scene of the step's first frame
        (``step.first``): a held view's labels are placed round it, called only to place them.
        """
        with quiet_glyph_warnings():
            self._saved = None
            new_areas = self._update(scene, step, first)
            if self.compositor is None:
                with self.ctx.hatching():
                    self.canvas.draw()
            else:
                self.compositor.blit(new_areas=new_areas)
        pixels = self.ctx.pixels()
        if out is None:
            return pixels.copy()
        np.copyto(out, pixels)
        return out

    def save(self, scene: Scene, path: str | Path) -> None:
        """Write a scene as PNG, SVG or PDF (the extension decides).

        Use a renderer made with ``layered=False`` for vector output that stays vector.
        The same scene saved again (say as SVG after PNG) is drawn as it was laid out.
        """
        with quiet_glyph_warnings(), self.ctx.hatching():
            if scene is not self._saved:
                self._update(scene)
                self._saved = scene
            # Light PNG compression: a still is written once and read once, mostly.
            extra = (
                {"pil_kwargs": {"compress_level": 3}} if str(path).lower().endswith(".png") else {}
            )
            # SVG keeps its text as text (searchable, read aloud, any script), in the
            # frame's fonts by name.
            with mpl.rc_context({"svg.fonttype": "none"}):
                self.figure.savefig(path, dpi=DPI, facecolor=self.figure.get_facecolor(), **extra)

    def pixel_of(self, lon: float, lat: float) -> tuple[int, int]:
        """The (row, column) of a lon/lat position in this renderer's frames."""
        x, y = self.world.projector.points([lon], [lat])
        px, py = self.map_ax.transData.transform((x[0], y[0]))
        return round(float(self.size[1] - py)), round(float(px))

    def label_boxes(self) -> list:
        """Window extents of every label placed on the map (for tests of overlap)."""
        return list(self.ctx.placed)

    def report(self) -> FrameReport:
        """Where things are on the frame as last drawn: layers, view, boxes of labels and texts."""
        r = self.ctx.renderer()
        texts = next(layer for layer in self.layers if isinstance(layer, PanelTexts))
        heading = next(layer for layer in self.layers if isinstance(layer, PanelHeading))
        legend = self.panel_ax.get_legend()
        return FrameReport(
            layers=[(layer.name, layer.depends.value, layer.band.name) for layer in self.layers],
            view=self.ctx.view,
            map_box=self.map_ax.get_window_extent(r),
            panel_box=self.panel_ax.get_window_extent(r),
            label_boxes=self.label_boxes(),
            texts={
                name: getattr(texts, name).get_window_extent(r)
                for name in ("date", "phase", "event_title", "caption")
            },
            legend_box=None if legend is None else legend.get_window_extent(r),
            heading={
                name: getattr(heading, name).get_window_extent(r) for name in ("title", "subtitle")
            },
            badges=list(self.ctx.badges),
        )

    # -- building and updating -----------------------------------------------------------------

    @contextlib.contextmanager
    def _fonts(self):
        # No mathtext in any text made here: text from the data is literal ("$10 and $20").
        # Missing glyphs are reported once, when the map is loaded, not once per glyph here.
        rc = {
            "font.family": families(self.theme.font),
            "hatch.linewidth": self.ctx.scale,
            "text.parse_math": False,
        }
        with quiet_glyph_warnings(), mpl.rc_context(rc):
            yield

    def _build(self, layer: Layer) -> None:
        before = set(self.ctx.artists())
        layer.build()
        layer.artists = [a for a in self.ctx.artists() if a not in before]

    def _show(
        self, view: View, step: Step | None = None, first: Callable[[], Scene] | None = None
    ) -> None:
        """Show ``view``: while it moves (``step`` says so, or without it the view differs
        from the last frame's), cut the ground from a raster and lay the labels as sprites;
        once it holds, rebuild every layer that depends on the view for it, and bake them
        again."""
        fitted = view.fit(self.size)
        last, self._last_view = self._last_view, fitted
        exact = (last is None or fitted == last) if step is None else step.exact
        if self.compositor is not None and not exact:
            if not self.compositor.baked:  # the frame round the map comes from a bake
                self._lay_out(self.world.overview.fit(self.size))
            if step is None and (self._raster is None or not self._raster.serves(fitted)):
                step = Step((fitted,))
            if step is not None and step.views != self._raster_for:
                self._raster = None
                self._raster_for = step.views
            if self._moved != (fitted, self._raster_for):  # else the last frame's pixels serve
                self._move(fitted)
            return
        if fitted == self.ctx.view and self._exact:
            return
        if first is not None:  # labels placed round the held run's first frame
            self.ctx.scene = first()
        self._lay_out(fitted)

    def _lay_out(self, fitted: FittedView) -> None:
        """Build every layer that depends on the view for ``fitted``, and bake them."""
        with self._fonts():
            redrawn = [layer for layer in self.layers if layer.depends is Depends.VIEW]
            self._set_view(fitted, redrawn)
            if self.compositor is not None:
                for artist in self.ctx.artists():
                    artist.set_visible(True)
                self.compositor.bake()
        self._exact = True
        self._moved = None

    def _set_view(self, fitted: FittedView, redrawn: list[Layer]) -> None:
        """Build ``redrawn`` again for ``fitted``; the areas are set again on the next frame."""
        for layer in redrawn:
            for artist in layer.artists:
                artist.remove()
        self.ctx.set_view(fitted)
        for layer in redrawn:
            self._build(layer)
        for layer in self.layers:
            if isinstance(layer, Areas):
                layer.forget()

    def _move(self, fitted: FittedView) -> None:
        """A frame of a moving view: the ground and the band over the areas cut from a
        raster (made again when the view leaves it), the labels laid as sprites, the scale
        bar and the inset built for the view and drawn live."""
        ctx, compositor = self.ctx, self.compositor
        places = next(layer for layer in self.layers if isinstance(layer, Places))
        live = [
            layer
            for layer in self.layers
            if layer.band is Band.OVER_SYMBOLS and layer.depends is Depends.VIEW
            and layer is not places
        ]  # fmt: skip
        with self._fonts():
            for artist in places.artists:
                artist.remove()
            places.artists = []
            self._set_view(fitted, live)
            region = compositor.map_region()
            bbox = self.map_ax.get_window_extent(ctx.renderer())
            if self._raster is None:
                self._raster = GroundRaster(ctx, self._raster_for, (bbox.width, bbox.height))
            under, over = self._raster.cut(fitted, (bbox.x0, bbox.y0, bbox.x1, bbox.y1), region)
            compositor.moved(under, over, places.composite(region), live)
        self._exact = False
        self._moved = (fitted, self._raster_for)

    def _update(
        self, scene: Scene, step: Step | None = None, first: Callable[[], Scene] | None = None
    ) -> bool:
        """Set every moving layer to ``scene``; whether the areas changed."""
        self.ctx.scene = scene
        self._show(scene.view or self.world.overview, step, first)
        self.ctx.scene = scene
        changed = False
        for layer in self.layers:
            # Every layer is told (instant ones change); only the areas' change is news.
            changed |= layer.update(scene) and layer.band is Band.AREAS
        self._labels_avoid_badges()
        return changed

    def _labels_avoid_badges(self) -> None:
        """On a vector still, place the labels again if a numbered badge or a marker lies on
        one: round the badges and markers, which stay where they are. (The layered renderer
        bakes its labels once a view: its frames have no badges, and markers come and go.)"""
        places = next(layer for layer in self.layers if isinstance(layer, Places))
        obstacles = [box for _, box in self.ctx.badges] + list(self.ctx.marker_boxes)
        if self.compositor is not None or not any(
            b.overlaps(label) for b in obstacles for label in places.boxes
        ):
            return
        for artist in places.artists:
            artist.remove()
        own = {id(box) for box in places.boxes}
        others = [box for box in self.ctx.placed if id(box) not in own]
        self.ctx.placed = others + obstacles
        with self._fonts():
            self._build(places)
        self.ctx.placed = [box for box in self.ctx.placed if all(box is not b for b in obstacles)]
