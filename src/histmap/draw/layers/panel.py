"""The panel beside or below the map: title, date, phase, caption, legend and credits."""

from __future__ import annotations

import datetime as dt

import numpy as np
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox

from ...model import Event
from ...scene import Scene
from ..context import DrawContext
from ..text_fit import LITERAL, measure, shrink_to_width, wrap_to_width
from .base import Band, Depends, Layer
from .linework import REFERENCE_DASH
from .shares import shares_height, side_tint
from .symbols import MARKERS, SHAFT_STYLES

DIVIDER = "#d9d4c7"
CAPTION_SHRINK = (1.0, 0.9, 0.8, 0.72, 0.65)
EVENT_TITLE_LINES = 3
"""An event's title takes at most this many lines (the numbered list's entries too)."""
CREDITS_LINES = 4
CREDITS_GID = "credits"
"""The credits' text is found by this id (a caption below the map keeps above it)."""
LEGEND_LAYOUTS = ((1, 1.0), (1, 0.85), (2, 0.85), (2, 0.72), (3, 0.72))
"""The legend's layouts to try in turn (columns, times the usual; type size, times the usual):
the first is the usual one."""
LEGEND_TOP = 0.45
"""How high the legend beside the map may reach, as a fraction of the panel's height."""


def text_box(text, renderer):
    """A text's window box, measured even while it is hidden (the compositor hides the
    static texts between its bakes)."""
    shown = text.get_visible()
    text.set_visible(True)
    try:
        return text.get_window_extent(renderer)
    finally:
        text.set_visible(shown)


def widest_date(ctx: DrawContext, text, renderer) -> str:
    """The widest date of the map's last year in its language, as ``text`` measures it
    (the widest month's name, a two-digit day): every date of the map fits where it does."""
    year, width = ctx.world.data.spec.end.year, measure(text, renderer)
    dates = [ctx.tr.date(dt.date(year, month, 28)) for month in range(1, 13)]
    return max(dates, key=width)


class Stripes(Patch):
    """A legend swatch of side-by-side stripes, one for each of ``colours``."""

    def __init__(self, colours: list, label: str):
        super().__init__(label=label)
        self.colours = colours


class _StripesHandler(HandlerBase):
    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, *rest):
        trans = rest[-1]  # after the font size
        step = width / len(orig_handle.colours)
        return [
            Rectangle(
                (-xdescent + n * step, -ydescent),
                step,
                height,
                facecolor=colour,
                edgecolor="none",
                transform=trans,
            )
            for n, colour in enumerate(orig_handle.colours)
        ]


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
        self.title = ax.text(
            p.x, p.title, spec.title, fontsize=ctx.pt(20), fontweight="bold", color=t.text,
            va="top", **LITERAL,
        )  # fmt: skip
        shrink_to_width(self.title, ctx.renderer(), lay.text_px, smallest=ctx.pt(12))
        self.subtitle = ax.text(
            p.x, p.subtitle, spec.subtitle, fontsize=ctx.pt(10.5), color=t.muted, va="top",
            **LITERAL,
        )  # fmt: skip
        shrink_to_width(self.subtitle, ctx.renderer(), lay.text_px, smallest=ctx.pt(7.5))


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
        self.date.set_text(widest_date(ctx, self.date, ctx.renderer()))
        shrink_to_width(self.date, ctx.renderer(), lay.text_px, smallest=ctx.pt(12))
        self.date.set_text("")
        self.phase = ax.text(
            p.x, p.phase, "", fontsize=ctx.pt(10), color=t.muted, va="top", style="italic",
            **LITERAL,
        )  # fmt: skip
        self.event_title = ax.text(
            p.x, p.event, "", fontsize=ctx.pt(12), fontweight="bold", color=t.text, va="top",
            **LITERAL,
        )  # fmt: skip
        self.caption = ax.text(
            p.x, p.caption, "", fontsize=ctx.pt(10), color=t.text, va="top", linespacing=1.35,
            **LITERAL,
        )  # fmt: skip
        self._caption_key: tuple[str, str] | None = None
        self._phase: str | None = ""

    def update(self, scene: Scene) -> bool:
        self.date.set_text(self.ctx.tr.date(scene.date))
        if scene.phase != self._phase:
            # A long phase name in smaller type, or cut, rather than off the panel.
            self._phase = scene.phase
            self.phase.set_fontsize(self.ctx.pt(10))
            self.phase.set_text(scene.phase or "")
            shrink_to_width(
                self.phase, self.ctx.renderer(), self.ctx.layout.text_px, smallest=self.ctx.pt(7.5)
            )
        if scene.main_events:
            self._caption_key = None
            self.event_title.set_text(self.ctx.tr.gettext("Main events"))
            self._fit_list(scene.main_events)
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
        """Wrap the caption to the panel; shrink its type until it clears the legend, and
        at the smallest type keep the lines that do (a few measures, however long it is)."""
        ctx = self.ctx
        base = ctx.pt(10)
        room_bottom = self._legend_top()
        # More lines than the panel could hold at the smallest type are never wrapped.
        most = int(ctx.panel_ax.get_window_extent(ctx.renderer()).height / (base * 0.5)) + 2
        room, r = ctx.layout.text_px, ctx.renderer()
        title_width = measure(self.event_title, r)
        for factor in CAPTION_SHRINK:
            width = measure(self.caption, r, base * factor)
            self.event_title.set_text(wrap_to_width(title, title_width, room, EVENT_TITLE_LINES))
            # A long title pushes the caption down.
            lines = self.event_title.get_text().count("\n")
            self.caption.set_y(ctx.layout.slots.caption - lines * ctx.layout.slots.line)
            self.caption.set_fontsize(base * factor)
            self.caption.set_text(wrap_to_width(caption, width, room, most))
            box = self.caption.get_window_extent(r)
            if box.y0 >= room_bottom:
                return
        self._keep_lines_above(caption, width, box, room_bottom)

    def _keep_lines_above(self, caption: str, width, box, room_bottom: float) -> None:
        """The caption cut (with an ellipsis) to the lines that end above ``room_bottom``."""
        r = self.ctx.renderer()
        line_px = box.height / (self.caption.get_text().count("\n") + 1)
        keep = int((box.y1 - room_bottom) / max(line_px, 1e-6))
        for _ in range(3):
            self.caption.set_text(wrap_to_width(caption, width, self.ctx.layout.text_px, keep))
            if keep < 1 or self.caption.get_window_extent(r).y0 >= room_bottom:
                return
            keep -= 1
        self.caption.set_text("")

    def _legend_top(self) -> float:
        """How low a caption may reach: above the legend and the counters beside the map;
        below it, above the credits (the legend and counters are in the column to the right)."""
        ctx = self.ctx
        r = ctx.renderer()
        boxes = ctx.panel_boxes
        if ctx.layout.panel_side == "right":
            legend = ctx.panel_ax.get_legend()
            tops = [legend.get_window_extent(r).y1] if legend is not None else []
            tops += [boxes["shares"].y1] if "shares" in boxes else []
        else:
            tops = [boxes["credits"].y1] if "credits" in boxes else []
        return max(tops) + ctx.pt(4) if tops else ctx.panel_ax.get_window_extent(r).y0

    def _fit_list(self, events: list[Event]) -> None:
        """The numbered list of ``events``, its type shrunk until it clears the legend; at
        the smallest type, the entries that do, then "…"."""
        ctx, r = self.ctx, self.ctx.renderer()
        room_bottom = self._legend_top()
        self.caption.set_y(ctx.layout.slots.caption)
        for factor in CAPTION_SHRINK:
            self.caption.set_fontsize(ctx.pt(10) * factor)
            entries = self._numbered_list(events, ctx.pt(10) * factor)
            self.caption.set_text("\n".join(entries))
            if self.caption.get_window_extent(r).y0 >= room_bottom:
                return
        while entries and self.caption.get_window_extent(r).y0 < room_bottom:
            entries.pop()
            self.caption.set_text("\n".join([*entries, "…"]))

    def _numbered_list(self, events: list[Event], size: float) -> list[str]:
        """Each event's entry, "3. 26 Oct 1950: Chinese First Phase Offensive", wrapped to
        the panel at type ``size``."""
        ctx = self.ctx
        width = measure(self.caption, ctx.renderer(), size)
        entry = ctx.tr.gettext("{number}. {date}: {title}")
        return [
            wrap_to_width(
                entry.format(number=n, date=ctx.tr.short_date(e.date), title=e.title),
                width,
                ctx.layout.text_px,
                EVENT_TITLE_LINES,
                indent="    ",
            )
            for n, e in enumerate(events, start=1)
        ]


class PanelFooter(Layer):
    """The legend (only what this map uses) and the credits.

    The legend stays in its room (:meth:`_room`), below the title and the texts: if it is
    too tall, it takes more columns and smaller type, and at the last the sides it has no
    room for are counted in one entry, "+N more sides". A few tries, however many sides.
    """

    depends, band = Depends.NEVER, Band.FRAME

    def build(self) -> None:
        ctx = self.ctx
        p = ctx.layout.slots
        credits = ctx.panel_ax.text(
            p.x, p.credits, "", fontsize=ctx.pt(6.5), color=ctx.theme.muted, va="bottom",
            linespacing=1.2, gid=CREDITS_GID, **LITERAL,
        )  # fmt: skip
        width = measure(credits, ctx.renderer())
        credits.set_text(
            wrap_to_width(ctx.world.data.spec.credits, width, ctx.layout.text_px, CREDITS_LINES)
        )
        ctx.panel_boxes["credits"] = credits.get_window_extent(ctx.renderer())
        self._anchor = p.legend_anchor
        if ctx.layout.panel_side == "right":  # long credits lift the legend above them
            top = ctx.panel_ax.transAxes.inverted().transform(ctx.panel_boxes["credits"])[1, 1]
            self._anchor = (p.legend_anchor[0], max(p.legend_anchor[1], top + 0.015))
        handles = self._handles()
        labels = [handle.get_label() for handle in handles]
        room = self._room()
        if not any(self._fits(self._legend(handles, labels, *how), room) for how in LEGEND_LAYOUTS):
            self._some_sides(handles, labels, room)

    def _some_sides(self, handles, labels, room) -> None:
        """The legend in its last layout with the most sides that fit, and "+N more sides"
        for the rest (by bisection)."""
        sides = len(self.ctx.world.data.spec.sides)

        def shown(k: int):
            label = self.ctx.tr.ngettext("+{n} more side", "+{n} more sides", sides - k)
            more = Patch(facecolor="none", edgecolor="none", label=label.format(n=sides - k))
            some = [*handles[:k], more, *handles[sides:]]
            some_labels = [*labels[:k], more.get_label(), *labels[sides:]]
            return self._legend(some, some_labels, *LEGEND_LAYOUTS[-1])

        lo, hi = 0, sides - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if self._fits(shown(mid), room) else (lo, mid - 1)
        shown(lo)

    def _legend(self, handles, labels, columns: int, factor: float):
        """The legend of ``handles`` (their ``labels`` wrapped to their column) in ``columns``
        times the usual columns and type ``factor`` times the usual, in place of any earlier."""
        ctx = self.ctx
        p = ctx.layout.slots
        # Long side names wrap rather than run off the panel.
        width = ctx.layout.text_px * (0.75 if ctx.layout.panel_side == "right" else 0.38)
        size = ctx.pt(8.5) * factor
        columns *= p.legend_columns
        probe = ctx.panel_ax.text(0, 0, "", fontsize=size, **LITERAL)
        measured = measure(probe, ctx.renderer())
        probe.remove()
        room = width / columns
        for handle, label in zip(handles, labels, strict=True):
            handle.set_label(wrap_to_width(label, measured, room, 3))
        legend = ctx.panel_ax.legend(
            handles=handles,
            loc=p.legend_loc,
            bbox_to_anchor=self._anchor,
            frameon=False,
            fontsize=size,
            handlelength=2.2,
            borderaxespad=0,
            ncols=columns,
            labelspacing=0.35,
            handler_map={Stripes: _StripesHandler()},
        )
        for text in legend.get_texts():
            text.set_parse_math(False)
        return legend

    def _room(self):
        """Where the legend may be, in window pixels: beside the map, the panel's lower part
        (up to :data:`LEGEND_TOP` of it), under the caption; below the map, right of the
        texts and above the credits."""
        ctx = self.ctx
        box = ctx.panel_ax.get_window_extent(ctx.renderer())
        # The counters, if shown, go above the legend beside the map, below it under the map.
        counters = shares_height(ctx)
        if ctx.layout.panel_side == "right":
            x0, y0, x1, y1 = 0.0, self._anchor[1] - 0.01, 1.0, LEGEND_TOP
            top, bottom = box.y0 + y1 * box.height - counters, box.y0 + y0 * box.height
        else:
            x0, y0, x1, y1 = 0.6, 0.08, 1.0, 1.0
            top, bottom = box.y0 + y1 * box.height, box.y0 + y0 * box.height + counters
        return Bbox.from_extents(box.x0 + x0 * box.width, bottom, box.x0 + x1 * box.width, top)

    def _fits(self, legend, room) -> bool:
        box = legend.get_window_extent(self.ctx.renderer())
        return room.padded(1).contains(box.x0, box.y0) and room.padded(1).contains(box.x1, box.y1)

    def _handles(self) -> list:
        ctx = self.ctx
        t, data = ctx.theme, ctx.world.data
        handles = [
            Patch(facecolor=s.colour, alpha=t.territory_alpha, label=s.name)
            for s in data.spec.sides
        ]
        words = ctx.tr.gettext
        handles.append(
            Line2D([], [], color=t.front, linewidth=ctx.pt(2.4), label=words("Front line"))
        )
        kinds = {e.kind for e in data.events}
        if kinds & {"offensive", "retreat"}:
            handles.append(self._arrow_handle("solid", 3.5, ">", 7, words("Offensive")))
        for kind, label in (("landing", words("Landing")), ("evacuation", words("Evacuation"))):
            if kind in kinds:
                handles.append(self._arrow_handle(SHAFT_STYLES[kind], 2.5, MARKERS[kind], 6, label))
        if t.gain_days > 0:
            handles.append(self._gain_handle())
        if any(p["kind"] == "dmz" for s in data.snapshots for _, p in s.extras):
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor=t.muted,
                    hatch="////",
                    label=words("Demilitarized zone"),
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

    def _gain_handle(self) -> Patch:
        """Each side's colour made lighter, as recent gains are drawn, in stripes: any side
        may have taken ground."""
        ctx = self.ctx
        t = ctx.theme
        tints = [
            tuple(np.array(side_tint(ctx, side.colour)) * (1 - t.gain_tint) + t.gain_tint)
            for side in ctx.world.data.spec.sides
        ]
        video = ctx.story is not None and ctx.story.schedule is not None
        label = (
            ctx.tr.gettext("Taken in the last {days} days").format(days=ctx.tr.number(t.gain_days))
            if video
            else ctx.tr.gettext("Taken since the last map")
        )
        return Stripes(tints, label)

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
