"""Layouts and papers are data, not branches in the code.

A layout is an entry in data/layouts.yaml, a template and a stylesheet: adding one means
adding files, not editing modules. A clinic adds its own in clinic.yaml's ``layouts:``,
with the same keys, and its template and stylesheet in the project's templates/ and styles/.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from brochure.errors import Problem, UsageError, suggest

if TYPE_CHECKING:
    from brochure.content.load import Loaded

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


class LayoutEntry(BaseModel):
    """One way of laying out a brochure on paper, as data/layouts.yaml or clinic.yaml has it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
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


class Layout(LayoutEntry):
    """A layout and its id."""

    id: str = ""
    own: bool = False  # the project's own (clinic.yaml's layouts:), not the package's

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
    raw = TypeAdapter(dict[str, LayoutEntry]).validate_python(yaml.safe_load(text))
    return {key: Layout(id=key, **dict(value)) for key, value in raw.items()}


def all_layouts(own: Mapping[str, LayoutEntry] | None = None) -> dict[str, Layout]:
    """Return the package's layouts, then a project's own (clinic.yaml's ``layouts:``)."""
    found = dict(layouts())
    for key, entry in (own or {}).items():
        found.setdefault(key, Layout(id=key, own=True, **dict(entry)))
    return found


def get_layout(name: str, own: Mapping[str, LayoutEntry] | None = None) -> Layout:
    """Return a layout by id, or a usage error naming the closest one."""
    known = all_layouts(own)
    if name not in known:
        raise UsageError(f"unknown layout '{name}'{suggest(name, set(known))}; "
                         f"use one of: {', '.join(known)}, all")
    return known[name]


def select_layouts(names: str | Sequence[str],
                   own: Mapping[str, LayoutEntry] | None = None) -> list[Layout]:
    """Return the layouts to build: one id, several, or 'all' (each once, in order).

    ``own`` is the project's own layouts (``clinic.layouts``); they join the package's.
    """
    wanted = [names] if isinstance(names, str) else list(names)
    if not wanted:
        wanted = ["handout"]
    if "all" in wanted:
        return list(all_layouts(own).values())
    return [get_layout(name, own) for name in dict.fromkeys(wanted)]


def own_layout_problems(source: Loaded, root: Path) -> list[Problem]:
    """Check clinic.yaml's own layouts: each a new id, a template and a stylesheet that exist.

    Both are looked for as a build looks for them: the project's templates/ and styles/
    first, then the package's. Read from the file's data, not its model, so these
    problems are reported with the model's own (a typo elsewhere in clinic.yaml).
    """
    from brochure.content.assets import package_styles_dir, package_templates_dir

    own = source.data.get("layouts") if isinstance(source.data, dict) else None
    if not isinstance(own, dict):
        return []
    problems: list[Problem] = []
    package = layouts()
    for key, entry in own.items():
        if key in package:
            problems.append(source.problem(
                ("layouts", key),
                f"'{key}' is one of the package's layouts; give yours another id (to change "
                f"how the {key} layout looks, put your own copy of styles/"
                f"{package[key].stylesheet} in the project instead)", key=True))
            continue
        if not isinstance(entry, dict):
            continue
        for field, folder, shipped in (("template", "templates", package_templates_dir()),
                                       ("stylesheet", "styles", package_styles_dir())):
            name = entry.get(field)
            if not isinstance(name, str):
                continue  # missing or not text: the model says so
            problem = _file_problem(name, root / folder, shipped, folder, field)
            if problem is not None:
                problems.append(source.problem(("layouts", key, field), problem))
    return problems


def _file_problem(name: str, own: Path, shipped: Path, folder: str, kind: str) -> str | None:
    """Say what is wrong with a layout's template or stylesheet name, or return None."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        return (f"'{name}' is not a {kind} file name; give the name of a file in the "
                f"project's {folder}/ folder, like 'exercise-sheet."
                f"{'html.j2' if kind == 'template' else 'css'}'")
    if any(os.path.lexists(place / name) for place in (own, shipped)):
        return None
    suffix = ".html.j2" if kind == "template" else ".css"
    names = {p.name for place in (own, shipped) if place.is_dir() for p in place.iterdir()
             if p.name.endswith(suffix) and not p.name.startswith("_")}
    return (f"no {kind} '{name}' in {folder}/ or the package{suggest(name, names)}; "
            f"create {folder}/{name} or name one that exists")
