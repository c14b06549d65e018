"""One brochure of the matrix, and the options that change how it is made."""

from __future__ import annotations

from dataclasses import dataclass

from brochure.content.outnames import output_name


@dataclass(frozen=True, order=True)
class Job:
    """One brochure: a condition in one layout, paper and language, for the office or a press."""

    condition: str
    layout: str
    paper: str
    language: str
    print_shop: bool = False

    @property
    def name(self) -> str:
        """Return the output file name (see output.NAME_SCHEME)."""
        return output_name(condition=self.condition, layout=self.layout, paper=self.paper,
                           language=self.language, print_shop=self.print_shop)


@dataclass(frozen=True)
class Options:
    """Options that change what a brochure's files are (part of each output's inputs hash)."""

    topics: tuple[str, ...] | None = None
    location: str | None = None
    html: bool = False  # also the composed page, styles inline, to open in a browser
    strict: bool = False  # a WeasyPrint warning fails the brochure instead of being reported
    archive: bool = False  # also a PDF/A-2u copy of each office PDF, for the records
    allow_fallback: bool = False  # untranslated parts in the default language, marked
    # Codes whose warnings neither fail a strict build nor print (brochure.codes); hashed
    # with --strict only, where they decide whether the file is written.
    ignore: tuple[str, ...] = ()
