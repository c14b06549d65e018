"""Make one personal copy in memory with the recipe: the brochure and a patient's page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from brochure.compose.brochure import Personal
from brochure.content.project import Project
from brochure.errors import UsageError

if TYPE_CHECKING:
    from brochure.render.pdf import Render

# The layouts a personal copy can take: the ones a patient reads on a screen or a home
# printer. Fixed-size layouts (tri-fold, poster, booklet) leave no room for a note.
LAYOUTS = ("handout", "large-print")


@dataclass(frozen=True)
class Copy:
    """A personal copy, as bytes; nothing of it is on disk."""

    pdf: bytes
    pages: int
    title: str  # the condition's title (never the patient's name)
    warnings: list[str]


def check_language(project: Project, language: str | None) -> str:
    """Return the language of the copy: the one asked for (checked as build checks it)."""
    from brochure.content.translate import select_languages

    if language is None:
        return project.language
    return select_languages(project, [language])[0]


def check_layout(layout: str) -> str:
    """Refuse layouts a personal copy cannot take."""
    if layout not in LAYOUTS:
        raise UsageError(f"--layout {layout}: a personal copy is a handout or a "
                         f"large-print handout; use one of: {', '.join(LAYOUTS)}")
    return layout


def make_copy(project: Project, *, condition: str, personal: Personal, layout: str,
              paper: str, topics: Sequence[str] | None, location: str | None,
              language: str | None = None, allow_fallback: bool = False,
              render: Render | None = None) -> Copy:
    """Compose and render the personal copy in ``language``; return the PDF bytes.

    A language whose translation files are missing fails as a build does, naming them,
    unless ``allow_fallback`` prints those parts in the default language.
    WeasyPrint's warnings are returned with the patient's name taken out, so they can be
    shown or logged. ``render`` lays the copy out (default: in this process; a private
    engine's ``render``, in its worker).
    """
    from brochure.recipe.job import Job, Options
    from brochure.recipe.make import make
    from brochure.render.pdf import render_pdf

    if condition not in project.conditions:
        project.select([condition])  # the message, with "did you mean"
    job = Job(condition, check_layout(layout), paper, language or project.language)
    made = make(project, job, Options(topics=tuple(topics) if topics is not None else None,
                                      location=location, allow_fallback=allow_fallback),
                personal=personal, render=render or render_pdf)
    pdf, warnings = made.pdf, list(made.warnings)
    from brochure.content.glyphs import notdef_characters
    from brochure.personal.cover import check_fonts

    # A box in the name or the note, which the check before rendering let through (a
    # project font counted there that the cover does not use): refused in the same words,
    # and WeasyPrint's warning, which quotes the text, is not shown.
    boxes = notdef_characters(warnings) & set(personal.patient + (personal.note or ""))
    check_fonts(personal, lambda char: char in boxes)
    shown = [w.replace(personal.patient, "[patient]") for w in dict.fromkeys(warnings)]
    return Copy(pdf=pdf, pages=made.pages, title=made.brochure.title, warnings=shown)
