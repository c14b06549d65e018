"""Where each part of a brochure comes from: the sources' figures, or general guidance.

The sources block of every layout tells the two apart, so a reader can see which advice
the article gives and which the clinic's physiotherapists add.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from brochure.models import CalloutBlock, Source

if TYPE_CHECKING:  # compose imports this module for its templates
    from brochure.compose import Brochure


def guidance_titles(b: Brochure) -> list[str]:
    """Return the headings of the blocks marked general guidance, in reading order, once each."""
    titles: list[str] = []
    for part in b.parts:
        current = part.title  # a block without a heading belongs to the one above it
        for blk in part.blocks:
            current = blk.heading or current
            if blk.general_guidance:
                titles.append(blk.title if isinstance(blk, CalloutBlock) else current)
    return list(dict.fromkeys(titles))


def read_on(day: dt.date) -> str:
    """Return a date as a reader says it: '20 November 2026' (no platform-specific format)."""
    return f"{day.day} {day:%B %Y}"


def cite(source: Source) -> str:
    """Return one source as printed: its title, who published it, its address and date read."""
    text = f"\u201c{source.title}\u201d"
    if source.publisher:
        text += f", {source.publisher}"
    if source.url:
        text += f", {source.url}"
    if source.accessed:
        text += f", read on {read_on(source.accessed)}"
    return text + "."
