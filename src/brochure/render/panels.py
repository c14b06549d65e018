"""Measured panel balance: read each condensed card's height from a first layout.

The tri-fold shares its cards among four panels. An estimate from the text is close but
not exact (line breaks, list markers, callout frames), so the first layout is measured
and the cards are shared out again by their real heights: the panels then end within a
few millimetres of each other instead of one running full and one half empty.
"""

from __future__ import annotations

from typing import Any

from brochure.compose.condense import PANEL
from brochure.render.fit import PX_TO_MM, measure, panels

CARD_PREFIX = "card-"


def _cards(box: Any) -> list[Any]:
    element = getattr(box, "element", None)
    if element is not None and (element.get("id") or "").startswith(CARD_PREFIX) \
            and "card" in (element.get("class") or "").split():
        return [box]
    found: list[Any] = []
    for child in getattr(box, "children", None) or ():
        found.extend(_cards(child))
    return found


def card_heights(document: Any) -> dict[str, float]:
    """Return each card's height in mm, its bottom margin included, by card id.

    Under the key ``PANEL``: the least height a panel that holds cards has for them.
    """
    heights: dict[str, float] = {}
    for page in document.pages:
        for panel in panels(page):
            if _cards(panel) or panel.element.get("data-panel", "").startswith("inside"):
                top, limit, _ = measure(panel)
                room = (limit - top) * PX_TO_MM
                heights[PANEL] = min(heights.get(PANEL, room), room)
            for box in _cards(panel):
                card_id = box.element.get("id")[len(CARD_PREFIX):]
                heights[card_id] = float(box.margin_height()) * PX_TO_MM
    return heights
