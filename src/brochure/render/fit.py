"""Fit check: read WeasyPrint's finished layout and find content that does not fit.

A panel is an element with class ``panel`` and a ``data-panel`` name, laid out with a fixed
height (the tri-fold's six panels, the poster's one). Its content must end inside that
height, and above its foot (an element with class ``panel-foot``, pinned to the bottom);
otherwise the build fails instead of clipping text, hiding it or adding a page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from brochure.content.layouts import Layout
from brochure.errors import FitError
from brochure.render.weasy import root_box

PX_TO_MM = 25.4 / 96  # WeasyPrint lays out in CSS pixels
TOLERANCE_MM = 0.05  # rounding in the layout engine, not overflow


@dataclass(frozen=True)
class Overflow:
    """A panel whose content runs past the bottom of its fixed content box."""

    panel: str
    page: int
    mm: float


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


def overflows(document: Any) -> list[Overflow]:
    """Return every panel of a rendered ``weasyprint.Document`` whose content overflows."""
    found: list[Overflow] = []
    for number, page in enumerate(document.pages, start=1):
        for panel in panels(page):
            _, limit, bottom = measure(panel)
            excess = (bottom - limit) * PX_TO_MM
            if excess > TOLERANCE_MM:
                found.append(Overflow(panel.element.get("data-panel"), number, excess))
    return found


@dataclass(frozen=True)
class Stray:
    """Text that runs past the edge of its page or its panel."""

    text: str
    page: int
    mm: float
    panel: str | None


def _text_boxes(box: Any) -> Iterator[Any]:
    for child in getattr(box, "children", None) or ():
        if type(child).__name__ == "TextBox":
            yield child
        else:
            yield from _text_boxes(child)


def strays(document: Any) -> list[Stray]:
    """Return text that ends past the right or bottom edge of its page, or of its panel.

    Nothing may be clipped: a word too long for its line that still does not wrap (in a
    table cell, say) would otherwise be cut off at the edge without a word said.
    """
    found: list[Stray] = []
    for number, page in enumerate(document.pages, start=1):
        bounds: list[tuple[Any, float, float, str | None]] = [
            (page._page_box, float(page.width), float(page.height), None)]
        bounds += [(panel, float(panel.border_box_x() + panel.border_width()),
                    float(page.height), panel.element.get("data-panel"))
                   for panel in panels(page)]
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


def check_fit(document: Any, *, where: str, layout: Layout,
              find: Callable[[str], str | None] | None = None) -> None:
    """Raise FitError naming every overflowing panel, or a page count the layout forbids.

    ``where`` is the 'file:line:column' each message starts with: the condition's topic
    list, the place to leave a topic out. Text past the edge of a page or panel is named
    with the file and line ``find`` finds it at.
    """
    advice = "shorten its content or leave out a topic (in this list or with --topics)"
    messages = [f"{where}: {layout.id} panel '{o.panel}' overflows by {math.ceil(o.mm)} mm; "
                f"{advice}" for o in overflows(document)]
    # A panel that overflows pushes its text sideways too: that is one problem, not more.
    for stray in strays(document) if not messages else []:
        snippet = stray.text if len(stray.text) <= 40 else stray.text[:37] + "..."
        place = (find(stray.text) if find is not None else None) or where
        edge = f"panel '{stray.panel}'" if stray.panel else f"page {stray.page}"
        messages.append(f"{place}: the text '{snippet}' runs {math.ceil(stray.mm)} mm past "
                        f"the edge of the {layout.id} {edge}; break up the long word or web "
                        "address, or shorten it")
    pages = len(document.pages)
    if layout.pages is not None and pages != layout.pages:
        want = f"{layout.pages} page{'s' if layout.pages != 1 else ''}"
        messages.append(f"{where}: the {layout.id} layout must fill exactly {want} but "
                        f"takes {pages}; {advice}")
    if messages:
        raise FitError(messages)
