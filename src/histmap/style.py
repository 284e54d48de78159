"""Looks as data: the theme's colours and type (no matplotlib here)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from ._errors import OptionError


@dataclass(frozen=True)
class Theme:
    """Colours and type; the default is calm enough to sit under translucent fills.

    A map's ``[theme]`` table in ``map.toml`` overrides any of these fields.
    """

    sea: str = "#d3e2ec"
    land: str = "#f2eee2"
    coast: str = "#5f7482"
    border: str = "#7a6a5c"
    river: str = "#86abc6"
    front: str = "#1d1d1d"
    text: str = "#222222"
    muted: str = "#5b6670"
    panel: str = "#fbfaf6"
    timeline: str = "#e7e2d6"
    territory_alpha: float = 0.5
    relief: float = 0.4
    font: str = "DejaVu Sans"
    gain_days: float = 7.0
    """Ground a side took in the last this many days of history is drawn in a lighter
    tint of its colour, fading in steps as it ages (on a still: all the ground taken since
    the previous snapshot); 0 turns it off."""
    gain_tint: float = 0.45
    """How much lighter the recent gains are: the opacity of white laid over them (over the
    newest, in a video; the older steps get less)."""

    @classmethod
    def from_table(cls, table: dict | None) -> Theme:
        """The default theme with a map's overrides; unknown names are refused."""
        table = table or {}
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(table) - names)
        if unknown:
            raise OptionError(
                f"unknown theme setting(s): {', '.join(unknown)} "
                f"(known: {', '.join(sorted(names))})"
            )
        return cls(**table)
