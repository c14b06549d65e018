"""Measured panel balance: read each condensed card's height from a first layout.

The tri-fold shares its cards among four panels. An estimate from the text is close but
not exact (line breaks, list markers, callout frames), and a card runs longer in a
narrower panel, so a first layout sets every card in every panel (``measuring`` in the
template) and is measured; the cards are then shared out by their real heights in the
panel each lands in: the inside panels end within a few millimetres of each other.
"""

from __future__ import annotations

from typing import Any

from brochure.compose.condense import GAP, PANEL
from brochure.render.fit import PX_TO_MM, measure, panels

PLACES = ("inside-1", "inside-2", "inside-3", "flap")  # the panels' order in the share-out


def _cards(box: Any) -> list[Any]:
    element = getattr(box, "element", None)
    if element is not None and element.get("data-card") \
            and "card" in (element.get("class") or "").split():
        return [box]
    found: list[Any] = []
    for child in getattr(box, "children", None) or ():
        found.extend(_cards(child))
    return found


def card_heights(document: Any) -> dict[str, float]:
    """Return each card's height in mm in each panel, without the space under it.

    Keys are ``card id@place`` (a place is an index into ``PLACES``); under ``PANEL``: the
    least height a panel that holds cards has for them; under ``GAP``: the space between
    two cards.
    """
    heights: dict[str, float] = {}
    for page in document.pages:
        for panel in panels(page):
            name = panel.element.get("data-panel", "")
            if name not in PLACES:
                continue
            place = PLACES.index(name)
            top, limit, _ = measure(panel)
            room = (limit - top) * PX_TO_MM
            heights[PANEL] = min(heights.get(PANEL, room), room)
            for box in _cards(panel):
                below = float(box.margin_bottom) * PX_TO_MM
                heights[f"{box.element.get('data-card')}@{place}"] = (
                    float(box.margin_height()) * PX_TO_MM - below)
                heights[GAP] = max(heights.get(GAP, 0.0), below)
    return heights
