"""Read WeasyPrint's finished layout: what a build decides on, as plain data.

A panel is an element with class ``panel`` and a ``data-panel`` name, laid out with a fixed
height (the tri-fold's six panels, the poster's one). This module measures, and decides
nothing: how far each panel's content runs past its end, which text runs past the edge of
its page or panel, how tall each tri-fold card is in each panel, and where the folds are.
``Facts`` holds all of it, so the decisions (render/fit.py, recipe/make.py) can be
made in another process than the one that laid the page out (an engine's worker).

It imports nothing of the composing code, so a renderer process stays light.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from brochure.compose.heights import GAP, PANEL
from brochure.render.weasy import root_box

PX_TO_MM = 25.4 / 96  # WeasyPrint lays out in CSS pixels
TOLERANCE_MM = 0.05  # rounding in the layout engine, not overflow
PLACES = ("inside-1", "inside-2", "inside-3", "flap")  # the tri-fold's share-out, in order


@dataclass(frozen=True)
class Overflow:
    """A panel whose content runs past the bottom of its fixed content box."""

    panel: str
    page: int
    mm: float


@dataclass(frozen=True)
class Stray:
    """Text that runs past the edge of its page or its panel."""

    text: str
    page: int
    mm: float
    panel: str | None


@dataclass(frozen=True)
class Facts:
    """What one layout measured: everything the fit check and a second layout need."""

    pages: int
    overflows: tuple[Overflow, ...] = ()
    strays: tuple[Stray, ...] = ()
    cards: dict[str, float] = field(default_factory=dict)  # see ``card_heights``
    folds: tuple[tuple[float, ...], ...] = ()  # see ``fold_positions``


# Each laid-out page with its panel boxes, found once for every measurement below.
Pages = list[tuple[Any, list[Any]]]


def facts(document: Any) -> Facts:
    """Measure a rendered ``weasyprint.Document``."""
    pages = [(page, panels(page)) for page in document.pages]
    return Facts(pages=len(pages), overflows=tuple(overflows(pages)),
                 strays=tuple(strays(pages)), cards=card_heights(pages),
                 folds=tuple(tuple(page) for page in fold_positions(pages)))


def _has_class(box: Any, name: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and name in (element.get("class") or "").split()


def _descendants(box: Any, *, skip: str | None = None) -> Iterator[Any]:
    for child in getattr(box, "children", None) or ():
        if skip is not None and _has_class(child, skip):
            continue
        yield child
        yield from _descendants(child, skip=skip)


def _outermost(box: Any, name: str) -> Iterator[Any]:
    """Yield the outermost box of each element with class ``name`` (inner boxes share it)."""
    if _has_class(box, name):
        yield box
        return
    for child in getattr(box, "children", None) or ():
        yield from _outermost(child, name)


def panels(page: Any) -> list[Any]:
    """Return the panel boxes of one laid-out page."""
    return [box for box in _outermost(root_box(page), "panel") if box.element.get("data-panel")]


def _bottom(box: Any) -> float:
    return float(box.border_box_y() + box.border_height())


def measure(panel: Any) -> tuple[float, float, float]:
    """Return a panel's content top, the lowest its content may reach, and where it ends."""
    top = panel.content_box_y()
    feet = [foot.border_box_y() for child in panel.children
            for foot in _outermost(child, "panel-foot")]
    limit = min([top + panel.height, *feet])
    flow = [_bottom(d) for d in _descendants(panel, skip="panel-foot")]
    return top, limit, max(flow, default=top)


def overflows(pages: Pages) -> list[Overflow]:
    """Return every panel whose content overflows."""
    found: list[Overflow] = []
    for number, (_, boxes) in enumerate(pages, start=1):
        for panel in boxes:
            _, limit, bottom = measure(panel)
            excess = (bottom - limit) * PX_TO_MM
            if excess > TOLERANCE_MM:
                found.append(Overflow(panel.element.get("data-panel"), number, excess))
    return found


def _text_boxes(box: Any) -> Iterator[Any]:
    for child in getattr(box, "children", None) or ():
        if type(child).__name__ == "TextBox":
            yield child
        else:
            yield from _text_boxes(child)


def strays(pages: Pages) -> list[Stray]:
    """Return text that ends past the right or bottom edge of its page, or of its panel.

    Nothing may be clipped: a word too long for its line that still does not wrap (in a
    table cell, say) would otherwise be cut off at the edge without a word said.
    """
    found: list[Stray] = []
    for number, (page, boxes) in enumerate(pages, start=1):
        bounds: list[tuple[Any, float, float, str | None]] = [
            (root_box(page), float(page.width), float(page.height), None)]
        bounds += [(panel, float(panel.border_box_x() + panel.border_width()),
                    float(page.height), panel.element.get("data-panel"))
                   for panel in boxes]
        seen: set[int] = set()
        for container, right, bottom, name in reversed(bounds):  # panels first
            for text in _text_boxes(container):
                if id(text) in seen:
                    continue
                seen.add(id(text))
                past = max(text.position_x + text.width - right,
                           text.position_y + text.height - bottom) * PX_TO_MM
                if past > TOLERANCE_MM * 10 and text.text.strip():
                    found.append(Stray(text.text.strip(), number, past, name))
    return found


def _cards(box: Any) -> list[Any]:
    element = getattr(box, "element", None)
    if element is not None and element.get("data-card") \
            and "card" in (element.get("class") or "").split():
        return [box]
    found: list[Any] = []
    for child in getattr(box, "children", None) or ():
        found.extend(_cards(child))
    return found


def card_heights(pages: Pages) -> dict[str, float]:
    """Return each tri-fold card's height in mm in each panel, without the space under it.

    The tri-fold shares its cards among four panels. An estimate from the text is close but
    not exact (line breaks, list markers, callout frames), and a card runs longer in a
    narrower panel, so a first layout sets every card in every panel (``measuring`` in the
    template) and is measured here; condense then shares the cards out by these heights.
    Keys are ``card id@place`` (a place is an index into ``PLACES``); under ``PANEL``: the
    least height a panel that holds cards has for them; under ``GAP``: the space between
    two cards. A page without such panels gives an empty dict.
    """
    heights: dict[str, float] = {}
    for _, boxes in pages:
        for panel in boxes:
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


def fold_positions(pages: Pages) -> list[list[float]]:
    """Return each page's folds, in points from the left edge: where two panels meet."""
    folds = []
    for page, boxes in pages:
        edges = {round(box.border_box_x() * 0.75, 3) for box in boxes}
        width = page.width * 0.75
        folds.append(sorted(x for x in edges if 0.5 < x < width - 0.5))
    return folds
