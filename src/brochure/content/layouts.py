"""Layouts and papers are data, not branches in the code.

A layout is an entry in data/layouts.yaml, a template and a stylesheet: adding one means
adding files, not editing modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from brochure.errors import UsageError, suggest

PaperName = Literal["letter", "a4"]
SheetName = Literal["letter", "a4", "tabloid", "a3", "half-letter", "a5"]
MM = 72 / 25.4


class Paper(BaseModel):
    """A sheet size as CSS @page understands it, and its portrait size in PDF points."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    css: str
    width_pt: float
    height_pt: float


SHEETS: dict[str, Paper] = {
    "letter": Paper(name="US Letter", css="8.5in 11in", width_pt=612, height_pt=792),
    "a4": Paper(name="A4", css="210mm 297mm", width_pt=210 * MM, height_pt=297 * MM),
    "tabloid": Paper(name="Tabloid 11 x 17 in", css="11in 17in", width_pt=792,
                     height_pt=1224),
    "a3": Paper(name="A3", css="297mm 420mm", width_pt=297 * MM, height_pt=420 * MM),
    "half-letter": Paper(name="half Letter 5.5 x 8.5 in", css="5.5in 8.5in",
                         width_pt=396, height_pt=612),
    "a5": Paper(name="A5", css="148mm 210mm", width_pt=148 * MM, height_pt=210 * MM),
}
# The paper families --paper chooses between; each layout maps a family to its sheet.
# Print-shop bleed: 1/8 in is the US trade custom, 3 mm the ISO one.
BLEED: dict[str, str] = {"letter": "0.125in", "a4": "3mm"}


class PaperSpec(BaseModel):
    """The real sheet one paper family means for a layout."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sheet: SheetName
    orientation: Literal["portrait", "landscape"] = "portrait"
    imposed_on: SheetName | None = None

    @property
    def paper(self) -> Paper:
        """Return the sheet's size."""
        return SHEETS[self.sheet]

    def size(self) -> tuple[float, float]:
        """Return the page's (width, height) in points, turned for the orientation."""
        w, h = self.paper.width_pt, self.paper.height_pt
        return (h, w) if self.orientation == "landscape" else (w, h)

    def css_size(self) -> str:
        """Return the value of CSS ``@page { size }`` for this sheet."""
        w, h = self.paper.css.split()
        return f"{h} {w}" if self.orientation == "landscape" else f"{w} {h}"

    def describe(self) -> str:
        """Return the sheet in words, e.g. 'US Letter landscape'."""
        if self.imposed_on is None:
            return f"{self.paper.name} {self.orientation}"
        return f"{self.paper.name} pages, imposed on {SHEETS[self.imposed_on].name} landscape"


class ChartStyle(BaseModel):
    """How a layout draws range charts: a narrower drawing prints larger type."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    width: Annotated[int, Field(ge=240, le=640)] = 640
    words_below: bool = False  # the plain-words range on its own line, under the bar
    plain: bool = False  # no tinted track and no numbers on the bar (text never on colour)
    apart: bool = False  # each bar a drawing of its own, so a page may end between two


class Layout(BaseModel):
    """One way of laying out a brochure on paper."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = ""
    description: str
    template: str
    stylesheet: str
    papers: Annotated[dict[PaperName, PaperSpec], Field(min_length=1)]
    pages: Annotated[int, Field(ge=1)] | None = None
    chart: ChartStyle = ChartStyle()
    folded: bool = False  # folded after printing: the print-shop file gets fold marks
    # Pad the page count to a multiple of this with notes pages before the back cover
    # (a saddle-stitched booklet is printed four pages to a sheet).
    pad_to: Annotated[int, Field(ge=2)] | None = None
    cover_map_mm: Annotated[float, Field(gt=10)] = 50.0  # height of the cover's body map
    map_label_pt: Annotated[float, Field(ge=9)] = 10.0  # its "Front" and "Back" labels
    # Share the condensed cards among the panels by their measured heights (a second
    # layout pass), so the panels end level with each other.
    balance_panels: bool = False

    def paper_spec(self, paper: str) -> PaperSpec:
        """Return the sheet for a paper family, or a usage error naming the ones it has."""
        if paper not in self.papers:
            raise UsageError(f"the {self.id} layout does not come in '{paper}'; "
                             f"use one of: {', '.join(self.papers)}")
        return self.papers[paper]


@cache
def layouts() -> dict[str, Layout]:
    """Return every layout the package ships, by id."""
    text = resources.files("brochure.content").joinpath("data/layouts.yaml").read_text("utf-8")
    raw = TypeAdapter(dict[str, Layout]).validate_python(yaml.safe_load(text))
    return {key: value.model_copy(update={"id": key}) for key, value in raw.items()}


def get_layout(name: str) -> Layout:
    """Return a layout by id, or a usage error naming the closest one."""
    known = layouts()
    if name not in known:
        raise UsageError(f"unknown layout '{name}'{suggest(name, set(known))}; "
                         f"use one of: {', '.join(known)}, all")
    return known[name]


def select_layouts(names: str | Sequence[str]) -> list[Layout]:
    """Return the layouts to build: one id, several, or 'all' (each once, in order)."""
    wanted = [names] if isinstance(names, str) else list(names)
    if not wanted:
        wanted = ["handout"]
    if "all" in wanted:
        return list(layouts().values())
    return [get_layout(name) for name in dict.fromkeys(wanted)]
