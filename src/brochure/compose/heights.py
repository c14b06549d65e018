"""Measured card heights as condense reads them: the cards, and two keys that are not one.

The renderer measures each tri-fold card in every panel, the room a panel has for cards
and the gap between two (render/measure.py's ``Facts``); condense shares the cards out by
those heights. Kept in a module of their own so the renderer's process does not import
the composing code, and the renderer itself imports nothing of compose.
"""

from __future__ import annotations

from collections.abc import Mapping

PANEL = "@panel"  # the height a panel holds for cards, in mm
GAP = "@gap"  # the space between two cards, in mm


def measured(cards: Mapping[str, float], *, room: float | None,
             gap: float) -> dict[str, float]:
    """Return the heights condense reads: each card's, the room and the gap.

    The room goes under ``PANEL``, the gap under ``GAP`` (only when there are cards).
    """
    heights = dict(cards)
    if room is not None:
        heights[PANEL] = room
    if cards:
        heights[GAP] = gap
    return heights
