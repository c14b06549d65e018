"""The recipe: one job of a project to its finished files, as bytes, written nowhere.

``make`` composes the job's brochure, lays it out, checks that it fits, lays it out again
where the layout asks for a second pass (a booklet padded to whole sheets, a tri-fold with
its cards shared out by measured height), and finishes the file: the office PDF/UA-1 or
the print shop's PDF/X-4 with its slug and marks, plus the booklet's imposed copy, the
PDF/A-2u archive copy or the composed HTML when asked. Build writes these bytes; check and
serve audit them; personalise and send overlay a patient's page and encrypt them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brochure.codes import kept_warnings, with_code
from brochure.compose.brochure import Brochure, Personal, assemble, find_line, find_text
from brochure.compose.heights import measured
from brochure.compose.html import render_html, stylesheet_text
from brochure.content.glyphs import missing_glyph
from brochure.content.layouts import BLEED, SHEETS
from brochure.content.outnames import output_name
from brochure.content.project import Project
from brochure.errors import StrictWarnings, UsageError
from brochure.recipe.job import Job, Options
from brochure.render.fit import check_fit
from brochure.render.measure import Facts
from brochure.render.pdf import PDF_VARIANT, render_pdf

PRINT_VARIANT = "pdf/x-4"  # the print-shop file: CMYK with the press profile as intent
ARCHIVE_VARIANT = "pdf/a-2u"  # the clinic's record copy of the office file

# render_pdf's signature: the page, and where it may read; the PDF bytes and warnings back.
# An engine's worker process can render instead (it is passed in, never switched on).
Render = Callable[..., tuple[bytes, list[str]]]


@dataclass(frozen=True)
class Made:
    """A brochure's finished files, as bytes: the PDF first, then its copies."""

    brochure: Brochure  # as laid out the last time (with its notes pages, its card heights)
    files: tuple[tuple[str, bytes], ...]  # (file name, bytes): the PDF first
    pages: int
    warnings: tuple[str, ...]  # WeasyPrint's, each once, as it gave them
    notes: tuple[str, ...] = field(default=())  # those not ignored, located: "file:line:col"

    @property
    def pdf(self) -> bytes:
        """Return the brochure's PDF (the file a patient or a press gets)."""
        return self.files[0][1]

    @property
    def name(self) -> str:
        """Return the PDF's file name."""
        return self.files[0][0]


def file_name(b: Brochure, *markers: str, ext: str = "pdf") -> str:
    """Return the brochure's file name; variants sit before the extension.

    back-pain.booklet.letter.en.imposed.pdf, back-pain.poster.a4.en.print-shop.pdf
    """
    return output_name(condition=b.id, layout=b.layout.id, paper=b.paper,
                       language=b.language, ext=".".join([*markers, ext]),
                       print_shop=b.print_shop)


def compose(project: Project, job: Job, options: Options = Options(),  # noqa: B008 (frozen)
            personal: Personal | None = None) -> Brochure:
    """Return the job's brochure, composed from the project (and a patient's page)."""
    if job.condition not in project.conditions:
        raise UsageError(f"the condition '{job.condition}' is not in the project")
    b = assemble(project, project.conditions[job.condition], layout=project.layout(job.layout),
                 paper=job.paper,
                 topics=list(options.topics) if options.topics is not None else None,
                 location=options.location, print_shop=job.print_shop,
                 language=job.language, allow_fallback=options.allow_fallback)
    return b if personal is None else dataclasses.replace(b, personal=personal)


def make(project: Project, job: Job, options: Options = Options(), *,  # noqa: B008
         personal: Personal | None = None, images: dict[str, Any] | None = None,
         render: Render = render_pdf) -> Made:
    """Make one job's files; raise FitError when it does not fit (nothing is made).

    With ``options.strict``, WeasyPrint's warnings raise StrictWarnings. ``images`` keeps
    decoded images between brochures of one process; ``render`` lays the page out (this
    process's WeasyPrint, or an engine's worker).
    """
    return bake(compose(project, job, options, personal), root=project.root,
                options=options, images=images, render=render)


def bake(b: Brochure, *, root: Path, options: Options = Options(),  # noqa: B008
         images: dict[str, Any] | None = None, render: Render = render_pdf) -> Made:
    """Lay a composed brochure out, check its fit and finish its files."""
    from brochure.content.assets import render_roots

    roots = render_roots(root)
    line, column = b.origin.where(("topics",), key=True)
    where = f"{b.origin.shown}:{line}:{column}"
    pages = 0
    folds: list[tuple[float, ...]] = []

    def inspect(facts: Facts) -> None:
        nonlocal pages
        pages = facts.pages
        folds[:] = facts.folds
        pad_to = b.layout.pad_to
        if pad_to and not b.pad_pages and facts.pages % pad_to:
            raise _Again(dataclasses.replace(b, pad_pages=-facts.pages % pad_to))
        if b.layout.balance_panels and b.card_heights is None:
            # The first layout set every card in every panel, only to measure them.
            heights = measured(facts.cards, room=facts.room, gap=facts.gap)
            raise _Again(dataclasses.replace(b, card_heights=heights))
        check_fit(facts, where=where, layout=b.layout, find=lambda text: find_text(b, text))

    try:
        pdf, warnings = _lay_out(b, root=root, roots=roots, images=images, inspect=inspect,
                                 render=render)
    except _Again as again:
        # Lay the brochure out once more: a booklet with notes pages before its back cover,
        # so "Page X of Y" counts every printed page and the back cover ends the last
        # sheet; a tri-fold with its cards shared out by their measured heights.
        b = again.brochure
        pdf, warnings = _lay_out(b, root=root, roots=roots, images=images, inspect=inspect,
                                 render=render)
    said = tuple(dict.fromkeys(warnings))
    counted = kept_warnings(said, options.ignore)  # those --ignore names are not reported
    if options.strict and counted:
        raise StrictWarnings([with_code(w) for w in counted])
    if b.print_shop:
        pdf = _finish_print_shop(pdf, b, root=root, folds=folds if b.layout.folded else [])
    files: list[tuple[str, bytes]] = [(file_name(b), pdf)]
    spec = b.layout.paper_spec(b.paper)
    # A print shop imposes a booklet itself (allowing for creep, the paper's thickness),
    # from the reading-order pages with bleed; the imposed copy is for the office duplex.
    if spec.imposed_on is not None and not b.print_shop:
        from brochure.render.impose import impose  # pypdf: only when a booklet is made

        sheet = SHEETS[spec.imposed_on]
        files.append((file_name(b, "imposed"),
                      impose(pdf, sheet_width=sheet.height_pt, sheet_height=sheet.width_pt)))
    if options.archive and not b.print_shop:
        kept, _ = _lay_out(b, root=root, roots=roots, images=images, inspect=None,
                           render=render, variant=ARCHIVE_VARIANT)
        files.append((file_name(b, "pdfa"), kept))
    if options.html:  # the complete page, styles inline, to open in a browser (and debug)
        files.append((file_name(b, ext="html"), render_html(root, b).encode("utf-8")))
    return Made(brochure=b, files=tuple(files), pages=pages, warnings=said,
                notes=tuple(_located(b, w) for w in counted))


def _lay_out(b: Brochure, *, root: Path, roots: tuple[Path, ...],
             images: dict[str, Any] | None, inspect: Callable[[Facts], None] | None,
             render: Render, variant: str | None = None) -> tuple[bytes, list[str]]:
    """Render the brochure's page once: the office PDF/UA-1 or the print shop's PDF/X-4."""
    svg = None
    if b.print_shop:
        from brochure.content.printcolour import Recolour

        # An SVG image (the logo) is recoloured as it is read; decoded images are not
        # shared with office renders, which keep its sRGB colours.
        svg, images = Recolour(b.clinic, root).html, None
    from brochure.recipe.refusals import located
    from brochure.render.fetch import Unloaded

    chosen = variant or (PRINT_VARIANT if b.print_shop else PDF_VARIANT)
    try:
        return render(render_html(root, b, inline_styles=False), roots=roots, base_url=root,
                      inspect=inspect, images=images, css=stylesheet_text(root, b),
                      variant=chosen, svg=svg)
    except Unloaded as exc:  # a refused URL or a broken image, placed in the project
        raise located(exc.kind, exc.items, root) from None


def _finish_print_shop(pdf: bytes, b: Brochure, *, root: Path,
                       folds: list[tuple[float, ...]]) -> bytes:
    """Add the slug, marks, boxes and output intent to a rendered print-shop PDF."""
    from brochure.content.printcolour import profile_name, profile_path
    from brochure.render.prepress import finish

    profile = profile_path(b.clinic, root)
    return finish(pdf, bleed=_points(BLEED[b.paper]), folds=folds,
                  profile_name=profile_name(profile), profile=profile.read_bytes())


def _located(b: Brochure, warning: str) -> str:
    """Return a warning with the file name, or the content line of a missing glyph."""
    glyph = missing_glyph(warning, lambda text: find_line(b, text))
    if glyph is not None:
        where, message = glyph
        warning = f"{where}: {message}" if where else message
    return f"{file_name(b)}: {warning}"


def _points(css_length: str) -> float:
    """Return a CSS length in 'in' or 'mm' in points."""
    if css_length.endswith("in"):
        return float(css_length[:-2]) * 72
    return float(css_length.removesuffix("mm")) * 72 / 25.4


class _Again(Exception):  # a signal between two layouts, never shown to a user
    """The brochure needs a second layout, with these settings."""

    def __init__(self, brochure: Brochure) -> None:
        super().__init__(brochure.id)
        self.brochure = brochure
