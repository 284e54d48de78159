"""A layer: a few artists of one kind, what they depend on, and where they sit in the stack."""

from __future__ import annotations

import enum

from ...scene import Scene
from ..context import DrawContext


class Depends(enum.Enum):
    """When a layer's pixels change."""

    NEVER = "never"
    """Drawn once: the panel's title, legend and credits, the timeline's bands."""
    VIEW = "view"
    """Redrawn when the map's view changes: the ground, coasts, labels, scale bar."""
    INSTANT = "instant"
    """Set for every frame: areas, symbols, the date and caption, the cursor."""


class Band(enum.IntEnum):
    """Where a layer's pixels go in the compositor's stack, bottom up.

    Static bands (under, over areas, over symbols, frame) are baked into images;
    the moving bands between them are drawn over those images frame by frame.
    """

    UNDER = 0
    """Sea, land and relief under the moving areas; the panel's and timeline's ground."""
    AREAS = 1
    OVER_AREAS = 2
    """Masks that keep the areas on their land, and the linework over them."""
    SYMBOLS = 3
    OVER_SYMBOLS = 4
    """Labels and the scale bar, over the arrows and markers."""
    FRAME = 5
    """Static parts of the panel and timeline, beside the map."""
    TEXTS = 6
    """The panel's moving texts, cached as pixels by the compositor."""
    CURSOR = 7


class Layer:
    """Base of the layers: :meth:`build` adds artists, :meth:`update` sets them to a scene.

    Subclasses set ``depends`` and ``band``. The artists a layer owns are the ones
    its :meth:`build` added, recorded by the renderer in ``artists``.
    """

    depends: Depends = Depends.NEVER
    band: Band = Band.FRAME

    def __init__(self, ctx: DrawContext):
        self.ctx = ctx
        self.artists: list = []

    @property
    def name(self) -> str:
        return type(self).__name__

    def build(self) -> None:
        """Add this layer's artists to the context's axes."""

    def update(self, scene: Scene) -> bool:
        """Set the artists to ``scene``; whether their pixels changed (instant layers)."""
        return False

    def draw(self, renderer) -> None:
        """Draw the artists straight onto the canvas (instant layers, between baked bands)."""
        for artist in self.artists:
            artist.draw(renderer)
