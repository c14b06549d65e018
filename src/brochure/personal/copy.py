"""Make one personal copy in memory: compose, render and (optionally) encrypt, never on disk."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from brochure.compose.brochure import Personal, assemble
from brochure.compose.html import render_html, stylesheet_text
from brochure.content.layouts import get_layout
from brochure.content.project import Project
from brochure.errors import UsageError

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
              language: str | None = None, allow_fallback: bool = False) -> Copy:
    """Compose and render the personal copy in ``language``; return the PDF bytes.

    A language whose translation files are missing fails as a build does, naming them,
    unless ``allow_fallback`` prints those parts in the default language.
    WeasyPrint's warnings are returned with the patient's name taken out, so they can be
    shown or logged.
    """
    from brochure.compose.refusals import located
    from brochure.content.assets import render_roots
    from brochure.render.fetch import Unloaded
    from brochure.render.fit import check_fit
    from brochure.render.measure import Facts
    from brochure.render.pdf import render_pdf

    item = project.select([condition])[0]
    lay = get_layout(check_layout(layout))
    b = assemble(project, item, layout=lay, paper=paper,
                 topics=list(topics) if topics is not None else None, location=location,
                 language=language, allow_fallback=allow_fallback)
    b = dataclasses.replace(b, personal=personal)
    line, column = b.origin.where(("topics",), key=True)
    pages = 0

    def inspect(facts: Facts) -> None:
        nonlocal pages
        pages = facts.pages
        check_fit(facts, where=f"{b.origin.shown}:{line}:{column}", layout=lay)

    try:
        pdf, warnings = render_pdf(render_html(project.root, b, inline_styles=False),
                                   roots=render_roots(project.root), base_url=project.root,
                                   inspect=inspect, css=stylesheet_text(project.root, b))
    except Unloaded as exc:
        raise located(exc.kind, exc.items, project.root) from None
    from brochure.content.glyphs import notdef_characters
    from brochure.personal.cover import check_fonts

    # A box in the name or the note, which the check before rendering let through (a
    # project font counted there that the cover does not use): refused in the same words,
    # and WeasyPrint's warning, which quotes the text, is not shown.
    boxes = notdef_characters(warnings) & set(personal.patient + (personal.note or ""))
    check_fonts(personal, lambda char: char in boxes)
    shown = [w.replace(personal.patient, "[patient]") for w in dict.fromkeys(warnings)]
    return Copy(pdf=pdf, pages=pages, title=b.title, warnings=shown)
