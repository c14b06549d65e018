"""Where each part of a brochure comes from: the sources' figures, or general guidance.

The sources block of every layout tells the two apart, so a reader can see which advice
the article gives and which the clinic's physiotherapists add.
"""

from __future__ import annotations

import datetime as dt

from brochure.compose.brochure import Brochure
from brochure.compose.interface import Interface
from brochure.content.models import CalloutBlock, Source

ENGLISH = Interface("en")


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


def read_on(day: dt.date, ui: Interface = ENGLISH) -> str:
    """Return a date as a reader says it: '20 November 2026', '20 de noviembre de 2026'."""
    return ui.day(day)


def cite(source: Source, ui: Interface = ENGLISH) -> str:
    """Return one source as printed: its title, who published it, its address and date read."""
    opening, closing = ui.quotes[:2]
    text = f"{opening}{source.title}{closing}"
    if source.publisher:
        text += f", {source.publisher}"
    if source.url:
        text += f", {source.url}"
    if source.accessed:
        text += ", " + ui.gettext("read on {date}").format(date=read_on(source.accessed, ui))
    return text + "."
