"""The timeline strip: phases as named bands and years as ticks, and the moving cursor."""

from __future__ import annotations

import matplotlib as mpl

from ..._dates import from_day, new_year, to_day
from ...scene import Scene
from ..palette import PHASE_SHADES, PLAYED_SHADE
from ..text_fit import centred_label
from .base import Band, Depends, Layer

BAR_Y, BAR_H = 0.38, 0.36
LEFT, WIDTH = 0.01, 0.98


class TimeBar(Layer):
    """Phases and years, in video time (or calendar time for stills)."""

    depends, band = Depends.NEVER, Band.FRAME

    def build(self) -> None:
        ax, t, ctx = self.ctx.time_ax, self.ctx.theme, self.ctx
        first, last = self._visible_span()
        ax.add_patch(
            mpl.patches.Rectangle(
                (LEFT, BAR_Y), WIDTH, BAR_H, facecolor=t.timeline, edgecolor="none", zorder=1
            )
        )
        for n, phase in enumerate(ctx.world.data.spec.phases):
            a = max(to_day(phase.start), first)
            b = min(to_day(phase.end) + 1, last)
            if b <= a:
                continue
            x0, x1 = (LEFT + WIDTH * self._progress_of(d) for d in (a, b))
            if b >= last:  # the last phase runs to the end, its closing holds included
                x1 = LEFT + WIDTH
            ax.add_patch(
                mpl.patches.Rectangle(
                    (x0, BAR_Y),
                    x1 - x0,
                    BAR_H,
                    facecolor=PHASE_SHADES[n % 2],
                    edgecolor="white",
                    linewidth=ctx.pt(0.8),
                    zorder=2,
                )
            )
            centred_label(
                ax,
                ctx.renderer(),
                (x0 + x1) / 2,
                BAR_Y + BAR_H / 2,
                phase.name,
                x1 - x0,
                sizes=[ctx.pt(s) for s in (8, 7, 6)],
                margin=ctx.pt(6),
                color=t.text,
                zorder=3,
            )
        for year in range(from_day(first).year + 1, from_day(last).year + 1):
            x = LEFT + WIDTH * self._progress_of(new_year(year))
            ax.plot([x, x], [BAR_Y - 0.08, BAR_Y], color=t.muted, linewidth=ctx.pt(0.8))
            ax.text(
                x,
                BAR_Y - 0.1,
                ctx.tr.year(year),
                ha="center",
                va="top",
                fontsize=ctx.pt(7.5),
                color=t.muted,
            )

    def _schedule(self):
        story = self.ctx.story
        return story.schedule if story is not None else None

    def _progress_of(self, day: float) -> float:
        sched = self._schedule()
        if sched is not None:
            return sched.time_of(day) / sched.duration
        spec = self.ctx.world.data.spec
        start, end = to_day(spec.start), to_day(spec.end)
        return (day - start) / max(end - start, 1.0)

    def _visible_span(self) -> tuple[float, float]:
        sched = self._schedule()
        if sched is not None:
            return float(sched.days[0]), float(sched.days[-1])
        spec = self.ctx.world.data.spec
        return to_day(spec.start), to_day(spec.end)


class Cursor(Layer):
    """The played part of the timeline, darkened, and the needle at the current moment."""

    depends, band = Depends.INSTANT, Band.CURSOR

    def build(self) -> None:
        ax = self.ctx.time_ax
        self._played = mpl.patches.Rectangle(
            (LEFT, BAR_Y),
            0,
            BAR_H,
            facecolor="#000000",
            alpha=PLAYED_SHADE,
            edgecolor="none",
            zorder=4,
        )
        ax.add_patch(self._played)
        (self._needle,) = ax.plot(
            [LEFT, LEFT],
            [0.3, 0.82],
            color=self.ctx.theme.front,
            linewidth=self.ctx.pt(2.2),
            zorder=5,
            solid_capstyle="butt",
        )

    def update(self, scene: Scene) -> bool:
        x = LEFT + WIDTH * scene.progress
        self._played.set_width(x - LEFT)
        self._needle.set_xdata([x, x])
        return True
