"""The panel beside or below the map: title, date, phase, caption, legend and credits."""

from __future__ import annotations

import textwrap

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..._dates import format_long
from ...model import Event
from ...scene import Scene
from ..context import DrawContext
from ..text_fit import chars_per_line, shrink_to_width
from .base import Band, Depends, Layer
from .linework import REFERENCE_DASH
from .symbols import MARKERS, SHAFT_STYLES

DIVIDER = "#d9d4c7"
WIDEST_DATE = "28 September 1950"
CAPTION_SHRINK = (1.0, 0.9, 0.8, 0.72, 0.65)


def caption_chars(ctx: DrawContext) -> int:
    """How many characters of caption type fill a line of the panel."""
    return max(16, chars_per_line(ctx.pt(10), ctx.layout.text_px))


class PanelHeading(Layer):
    """The divider from the map, the map's title and subtitle."""

    depends, band = Depends.NEVER, Band.FRAME

    def build(self) -> None:
        ctx = self.ctx
        ax, t, spec, lay = ctx.panel_ax, ctx.theme, ctx.world.data.spec, ctx.layout
        p = lay.slots
        if lay.panel_side == "right":
            ax.plot([0, 0], [0, 1], color=DIVIDER, linewidth=ctx.pt(1.5))
        else:
            ax.plot([0, 1], [1, 1], color=DIVIDER, linewidth=ctx.pt(1.5))
        title = ax.text(
            p.x, p.title, spec.title, fontsize=ctx.pt(20), fontweight="bold", color=t.text, va="top"
        )
        shrink_to_width(title, ctx.renderer(), lay.text_px, smallest=ctx.pt(12))
        subtitle = ax.text(
            p.x, p.subtitle, spec.subtitle, fontsize=ctx.pt(10.5), color=t.muted, va="top"
        )
        shrink_to_width(subtitle, ctx.renderer(), lay.text_px, smallest=ctx.pt(7.5))


class PanelTexts(Layer):
    """The date, the phase, and the event's title and caption (on stills, the numbered
    list of main events): they change from frame to frame."""

    depends, band = Depends.INSTANT, Band.TEXTS

    def build(self) -> None:
        ctx = self.ctx
        ax, t, lay = ctx.panel_ax, ctx.theme, ctx.layout
        p = lay.slots
        self.date = ax.text(
            p.x, p.date, "", fontsize=ctx.pt(21), fontweight="bold", color=t.text, va="top"
        )
        # Size the date once, on the widest it can be, so that every date fits.
        self.date.set_text(WIDEST_DATE)
        shrink_to_width(self.date, ctx.renderer(), lay.text_px, smallest=ctx.pt(12))
        self.date.set_text("")
        self.phase = ax.text(
            p.x, p.phase, "", fontsize=ctx.pt(10), color=t.muted, va="top", style="italic"
        )
        self.event_title = ax.text(
            p.x, p.event, "", fontsize=ctx.pt(12), fontweight="bold", color=t.text, va="top"
        )
        self.caption = ax.text(
            p.x, p.caption, "", fontsize=ctx.pt(10), color=t.text, va="top", linespacing=1.35
        )
        self._chars = caption_chars(ctx)
        self._caption_key: tuple[str, str] | None = None

    def update(self, scene: Scene) -> bool:
        self.date.set_text(format_long(scene.date))
        self.phase.set_text(scene.phase or "")
        if scene.main_events:
            self._caption_key = None
            self.event_title.set_text("Main events")
            self.caption.set_text(self._numbered_list(scene.main_events))
            alpha = 1.0
        else:
            event = scene.event
            key = (event.title, event.caption) if event else ("", "")
            if key != self._caption_key:
                self._caption_key = key
                self._fit_caption(*key)
            alpha = scene.caption_alpha
        self.event_title.set_alpha(alpha)
        self.caption.set_alpha(alpha)
        return True

    def _fit_caption(self, title: str, caption: str) -> None:
        """Wrap the caption to the panel; shrink its type until it clears the legend."""
        ctx = self.ctx
        base = ctx.pt(10)
        room_bottom = self._legend_top()
        for factor in CAPTION_SHRINK:
            chars = int(self._chars / factor)
            self.event_title.set_text(textwrap.fill(title, int(chars * 0.78)))
            # A long title pushes the caption down.
            lines = self.event_title.get_text().count("\n")
            self.caption.set_y(ctx.layout.slots.caption - lines * ctx.layout.slots.line)
            self.caption.set_fontsize(base * factor)
            self.caption.set_text(textwrap.fill(caption, chars))
            box = self.caption.get_window_extent(ctx.renderer())
            if box.y0 >= room_bottom:
                return

    def _legend_top(self) -> float:
        """How low a caption may reach: above the legend beside the map, else the panel foot."""
        ctx = self.ctx
        r = ctx.renderer()
        legend = ctx.panel_ax.get_legend()
        if legend is None or ctx.layout.panel_side != "right":
            return ctx.panel_ax.get_window_extent(r).y0
        return legend.get_window_extent(r).y1 + ctx.pt(4)

    def _numbered_list(self, events: list[Event]) -> str:
        lines = []
        for n, e in enumerate(events, start=1):
            when = f"{e.date.day} {e.date:%b} {e.date.year}"
            text = textwrap.fill(f"{n}. {when}: {e.title}", self._chars, subsequent_indent="    ")
            lines.append(text)
        return "\n".join(lines)


class PanelFooter(Layer):
    """The legend (only what this map uses) and the credits."""

    depends, band = Depends.NEVER, Band.FRAME

    def build(self) -> None:
        ctx = self.ctx
        p = ctx.layout.slots
        handles = self._handles()
        # Long side names wrap rather than run off the panel.
        width = ctx.layout.text_px * (0.75 if ctx.layout.panel_side == "right" else 0.38)
        chars = max(12, chars_per_line(ctx.pt(8.5), width, em=0.55))
        for handle in handles:
            handle.set_label(textwrap.fill(handle.get_label(), chars))
        ctx.panel_ax.legend(
            handles=handles,
            loc=p.legend_loc,
            bbox_to_anchor=p.legend_anchor,
            frameon=False,
            fontsize=ctx.pt(8.5),
            handlelength=2.2,
            borderaxespad=0,
            ncols=p.legend_columns,
            labelspacing=0.35,
        )
        ctx.panel_ax.text(
            p.x,
            p.credits,
            textwrap.fill(ctx.world.data.spec.credits, int(caption_chars(ctx) * 1.45)),
            fontsize=ctx.pt(6.5),
            color=ctx.theme.muted,
            va="bottom",
            linespacing=1.2,
        )

    def _handles(self) -> list:
        ctx = self.ctx
        t, data = ctx.theme, ctx.world.data
        handles = [
            Patch(facecolor=s.colour, alpha=t.territory_alpha, label=s.name)
            for s in data.spec.sides
        ]
        handles.append(Line2D([], [], color=t.front, linewidth=ctx.pt(2.4), label="Front line"))
        kinds = {e.kind for e in data.events}
        if kinds & {"offensive", "retreat"}:
            handles.append(self._arrow_handle("solid", 3.5, ">", 7, "Offensive"))
        for kind, label in (("landing", "Landing"), ("evacuation", "Evacuation")):
            if kind in kinds:
                handles.append(self._arrow_handle(SHAFT_STYLES[kind], 2.5, MARKERS[kind], 6, label))
        if any(p["kind"] == "dmz" for s in data.snapshots for _, p in s.extras):
            handles.append(
                Patch(
                    facecolor="white", edgecolor=t.muted, hatch="////", label="Demilitarized zone"
                )
            )
        for ref in data.spec.reference_lines:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=t.muted,
                    linestyle=REFERENCE_DASH,
                    linewidth=ctx.pt(1.1),
                    label=ref.label,
                )
            )
        return handles

    def _arrow_handle(self, style, width: float, marker: str, size: float, label: str):
        ctx = self.ctx
        return Line2D(
            [],
            [],
            color=ctx.theme.muted,
            linestyle=style,
            linewidth=ctx.pt(width),
            marker=marker,
            markevery=[1],
            markersize=ctx.pt(size),
            label=label,
        )
