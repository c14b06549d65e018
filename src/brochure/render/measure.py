"""Read WeasyPrint's finished layout: what a build decides on, as plain data.

A panel is an element with class ``panel`` and a ``data-panel`` name, laid out with a fixed
height (the tri-fold's six panels, the poster's one). This module measures, and decides
nothing: how far each panel's content runs past its end, which text runs past the edge of
its page or panel, how tall each tri-fold card is in each panel, and where the folds are.
``Facts`` holds all of it, so the decisions (render/fit.py, recipe/make.py) can be
made in another process than the one that laid the page out (an engine's worker).

It imports nothing of the composing code, so a renderer process stays light, and reads
the laid-out boxes only through the adapter (render/weasy.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from brochure.render.weasy import Box, root_box

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
    room: float | None = None  # see ``card_heights``
    gap: float = 0.0  # see ``card_heights``
    folds: tuple[tuple[float, ...], ...] = ()  # see ``fold_positions``


@dataclass(frozen=True)
class Page:
    """A laid-out page: its size in CSS pixels, its box tree and its panel boxes."""

    width: float
    height: float
    root: Box
    panels: list[Box]


Pages = list[Page]


def facts(document: Any) -> Facts:
    """Measure a rendered ``weasyprint.Document`` (its public ``pages``, their boxes)."""
    pages = [Page(float(page.width), float(page.height), root, panels(root))
             for page in document.pages for root in (root_box(page),)]
    cards, room, gap = card_heights(pages)
    return Facts(pages=len(pages), overflows=tuple(overflows(pages)),
                 strays=tuple(strays(pages)), cards=cards, room=room, gap=gap,
                 folds=tuple(tuple(page) for page in fold_positions(pages)))


def _descendants(box: Box, *, skip: str | None = None) -> Iterator[Box]:
    for child in box.children:
        if skip is not None and child.has_class(skip):
            continue
        yield child
        yield from _descendants(child, skip=skip)


def _outermost(box: Box, name: str) -> Iterator[Box]:
    """Yield the outermost box of each element with class ``name`` (inner boxes share it)."""
    if box.has_class(name):
        yield box
        return
    for child in box.children:
        yield from _outermost(child, name)


def panels(root: Box) -> list[Box]:
    """Return the panel boxes of one laid-out page, given its box tree."""
    return [box for box in _outermost(root, "panel") if box.attribute("data-panel")]


def _name(panel: Box) -> str:
    return panel.attribute("data-panel") or ""


def measure(panel: Box) -> tuple[float, float, float]:
    """Return a panel's content top, the lowest its content may reach, and where it ends."""
    top = panel.content_top
    feet = [foot.top for child in panel.children for foot in _outermost(child, "panel-foot")]
    limit = min([top + panel.content_height, *feet])
    flow = [d.bottom for d in _descendants(panel, skip="panel-foot")]
    return top, limit, max(flow, default=top)


def overflows(pages: Pages) -> list[Overflow]:
    """Return every panel whose content overflows."""
    found: list[Overflow] = []
    for number, page in enumerate(pages, start=1):
        for panel in page.panels:
            _, limit, bottom = measure(panel)
            excess = (bottom - limit) * PX_TO_MM
            if excess > TOLERANCE_MM:
                found.append(Overflow(_name(panel), number, excess))
    return found


def _text_boxes(box: Box) -> Iterator[Box]:
    for child in box.children:
        if child.is_text:
            yield child
        else:
            yield from _text_boxes(child)


def strays(pages: Pages) -> list[Stray]:
    """Return text that ends past the right or bottom edge of its page, or of its panel.

    Nothing may be clipped: a word too long for its line that still does not wrap (in a
    table cell, say) would otherwise be cut off at the edge without a word said.
    """
    found: list[Stray] = []
    for number, page in enumerate(pages, start=1):
        bounds: list[tuple[Box, float, float, str | None]] = [
            (page.root, page.width, page.height, None)]
        bounds += [(panel, panel.right, page.height, _name(panel)) for panel in page.panels]
        seen: set[Box] = set()
        for container, right, bottom, name in reversed(bounds):  # panels first
            for text in _text_boxes(container):
                if text in seen:
                    continue
                seen.add(text)
                past = max(text.content_right - right,
                           text.content_bottom - bottom) * PX_TO_MM
                if past > TOLERANCE_MM * 10 and text.text.strip():
                    found.append(Stray(text.text.strip(), number, past, name))
    return found


def _cards(box: Box) -> list[Box]:
    if box.attribute("data-card") and box.has_class("card"):
        return [box]
    found: list[Box] = []
    for child in box.children:
        found.extend(_cards(child))
    return found


def card_heights(pages: Pages) -> tuple[dict[str, float], float | None, float]:
    """Return each tri-fold card's height in mm in each panel, the room, and the gap.

    The tri-fold shares its cards among four panels. An estimate from the text is close but
    not exact (line breaks, list markers, callout frames), and a card runs longer in a
    narrower panel, so a first layout sets every card in every panel (``measuring`` in the
    template) and is measured here; condense then shares the cards out by these heights
    (compose/heights.py puts the three together for it). Keys are ``card id@place`` (a
    place is an index into ``PLACES``), each height without the space under the card. The
    room is the least height a panel that holds cards has for them (None without such
    panels); the gap is the space between two cards (0 without cards).
    """
    heights: dict[str, float] = {}
    room: float | None = None
    gap = 0.0
    for page in pages:
        for panel in page.panels:
            name = _name(panel)
            if name not in PLACES:
                continue
            place = PLACES.index(name)
            top, limit, _ = measure(panel)
            here = (limit - top) * PX_TO_MM
            room = here if room is None else min(room, here)
            for box in _cards(panel):
                below = box.margin_bottom * PX_TO_MM
                heights[f"{box.attribute('data-card')}@{place}"] = (
                    box.margin_height * PX_TO_MM - below)
                gap = max(gap, below)
    return heights, room, gap


def fold_positions(pages: Pages) -> list[list[float]]:
    """Return each page's folds, in points from the left edge: where two panels meet."""
    folds = []
    for page in pages:
        edges = {round(box.left * 0.75, 3) for box in page.panels}
        width = page.width * 0.75
        folds.append(sorted(x for x in edges if 0.5 < x < width - 0.5))
    return folds
