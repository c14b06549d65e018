"""Fit check: decide from a layout's measurements whether the content fits.

A panel's content must end inside its fixed height, and above its foot (an element with
class ``panel-foot``, pinned to the bottom); otherwise the build fails instead of clipping
text, hiding it or adding a page. The measuring is in render/measure.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

from brochure.errors import FitError
from brochure.render.measure import Facts


class Layout(Protocol):
    """What the fit check reads of a layout (content/layouts.py's Layout has it)."""

    @property
    def id(self) -> str:
        """The layout's name, as messages show it."""

    @property
    def pages(self) -> int | None:
        """The page count the layout must fill exactly, or None for any."""


def check_fit(facts: Facts, *, where: str, layout: Layout,
              find: Callable[[str], str | None] | None = None) -> None:
    """Raise FitError naming every overflowing panel, or a page count the layout forbids.

    ``where`` is the 'file:line:column' each message starts with: the condition's topic
    list, the place to leave a topic out. Text past the edge of a page or panel is named
    with the file and line ``find`` finds it at.
    """
    advice = "shorten its content or leave out a topic (in this list or with --topics)"
    messages = [f"{where}: {layout.id} panel '{o.panel}' overflows by {math.ceil(o.mm)} mm; "
                f"{advice}" for o in facts.overflows]
    # A panel that overflows pushes its text sideways too: that is one problem, not more.
    for stray in facts.strays if not messages else ():
        snippet = stray.text if len(stray.text) <= 40 else stray.text[:37] + "..."
        place = (find(stray.text) if find is not None else None) or where
        edge = f"panel '{stray.panel}'" if stray.panel else f"page {stray.page}"
        messages.append(f"{place}: the text '{snippet}' runs {math.ceil(stray.mm)} mm past "
                        f"the edge of the {layout.id} {edge}; break up the long word or web "
                        "address, or shorten it")
    if layout.pages is not None and facts.pages != layout.pages:
        want = f"{layout.pages} page{'s' if layout.pages != 1 else ''}"
        messages.append(f"{where}: the {layout.id} layout must fill exactly {want} but "
                        f"takes {facts.pages}; {advice}")
    if messages:
        raise FitError(messages)
