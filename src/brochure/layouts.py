"""Layouts and papers are data, not branches in the code.

A layout is an entry in data/layouts.yaml, a template and a stylesheet: adding one means
adding files, not editing modules.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from brochure.errors import UsageError
from brochure.validate import suggest

PaperName = Literal["letter", "a4"]


class Paper(BaseModel):
    """A sheet size as CSS @page understands it, and its size in PDF points."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    css: str
    width_pt: float
    height_pt: float


PAPERS: dict[str, Paper] = {
    "letter": Paper(name="US Letter", css="letter", width_pt=612, height_pt=792),
    "a4": Paper(name="A4", css="A4", width_pt=595.28, height_pt=841.89),
}


class Layout(BaseModel):
    """One way of laying out a brochure on paper."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = ""
    description: str
    template: str
    stylesheet: str
    papers: Annotated[list[PaperName], Field(min_length=1)]


@cache
def layouts() -> dict[str, Layout]:
    """Return every layout the package ships, by id."""
    text = resources.files("brochure").joinpath("data/layouts.yaml").read_text("utf-8")
    raw = TypeAdapter(dict[str, Layout]).validate_python(yaml.safe_load(text))
    return {key: value.model_copy(update={"id": key}) for key, value in raw.items()}


def get_layout(name: str) -> Layout:
    """Return a layout by id, or a usage error naming the closest one."""
    known = layouts()
    if name not in known:
        raise UsageError(f"unknown layout '{name}'{suggest(name, set(known))}; "
                         f"use one of: {', '.join(known)}")
    return known[name]
