"""Interface text in the brochure's language: gettext catalogues, dates, numbers and quotes.

The words the templates add around the content ("The one thing to remember", "Page 2 of
5", chart captions) come from one ``.po`` file per language in ``brochure/locale``. A
``.po`` file is compiled with Babel in memory the first time a process needs it, so a
fresh clone (or an editable install) works without a build step and no compiled ``.mo``
file is ever kept in the repository. Dates and numbers are formatted with Babel's CLDR
data: "noviembre de 2026", "50 %" in French.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from brochure.content.languages import babel_locale
from brochure.errors import UsageError

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "brochure"

# Quotation marks per language (outer pair, inner pair), after CLDR's delimiters; the
# French ones take a narrow no-break space inside, as French typography asks.
QUOTES = {
    "en": ("“", "”", "‘", "’"),
    "es": ("«", "»", "“", "”"),
    "fr": ("«\u202f", "\u202f»", "“", "”"),
}


def catalogue_path(language: str) -> Path:
    """Return the ``.po`` file of a language."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Return the compiled catalogue of ``language``: English text when it has none."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = catalogue_path(language)
    if not path.is_file():
        base = language.split("-")[0]
        if base != language:
            return translations(base)
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=babel_locale(language), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Interface:
    """Everything language-dependent a template prints that is not content."""

    language: str

    @property
    def locale(self) -> str:
        """Return Babel's locale name."""
        return babel_locale(self.language)

    def gettext(self, message: str) -> str:
        """Return ``message`` in the brochure's language."""
        return translations(self.language).gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        """Return ``message``, as meant in ``context`` (its msgctxt), in the language."""
        return translations(self.language).pgettext(context, message)

    def listing(self, items: Sequence[str]) -> str:
        """Return 'a, b and c' as the language joins a list: 'a, b y c', 'a, b et c'."""
        from babel.lists import format_list

        return str(format_list(list(items), locale=self.locale))

    def month_year(self, day: dt.date) -> str:
        """Return 'November 2026', 'noviembre de 2026', 'novembre 2026'."""
        from babel.dates import format_skeleton

        return str(format_skeleton("yMMMM", day, locale=self.locale))

    def day(self, day: dt.date) -> str:
        """Return a full date: '20 November 2026', '20 de noviembre de 2026'.

        The pattern is interface text (CLDR's own long formats put the month first in
        English), so each catalogue says how its language writes a date.
        """
        from babel.dates import format_date

        return str(format_date(day, format=self.gettext("d MMMM y"), locale=self.locale))

    def number(self, value: float) -> str:
        """Return a number as the language writes it (decimal comma in Spanish and French)."""
        from babel.numbers import format_decimal

        return str(format_decimal(value, format="#,##0.###", locale=self.locale))

    def percent(self, low: float, high: float | None = None) -> str:
        """Return '50–75%' in English, '50-75 %' in French: the locale's percent pattern."""
        from babel.numbers import format_percent

        # The locale's pattern around a sample number: "42%", "42 %", "%42".
        sample = str(format_percent(0.42, locale=self.locale))
        prefix, _, suffix = sample.partition("42")
        amount = self.number(low) if high is None or high == low else \
            f"{self.number(low)}–{self.number(high)}"
        return f"{prefix}{amount}{suffix}"

    def percent_words(self, low: float, high: float | None = None) -> str:
        """Return a range for screen readers: '50 to 75%', '50 a 75 %'."""
        if high is None or high == low:
            return self.percent(low)
        joined = self.gettext("{low} to {high}").format(low=self.number(low),
                                                         high=self.number(high))
        return self.percent(0).replace(self.number(0), joined, 1)

    @property
    def quotes(self) -> tuple[str, str, str, str]:
        """Return the outer and inner quotation marks of the language."""
        return QUOTES.get(self.language.split("-")[0], QUOTES["en"])

    def css(self) -> str:
        """Return the stylesheet rules that follow the language: page numbers and quotes."""
        page = self.gettext("Page {page} of {pages}")
        before, _, rest = page.partition("{page}")
        middle, _, after = rest.partition("{pages}")
        content = " ".join(part for part in (
            _css_string(before), "counter(page)", _css_string(middle), "counter(pages)",
            _css_string(after)) if part)
        q = self.quotes
        quotes = " ".join(_css_string(mark) for mark in q)
        return (f"@page {{ @bottom-right {{ content: {content}; }} }}\n"
                f"q {{ quotes: {quotes}; }}")


def _css_string(text: str) -> str:
    if not text:
        return ""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@cache
def interface(language: str) -> Interface:
    """Return the interface of ``language``; refuse a language Babel has no data for."""
    from babel.core import Locale, UnknownLocaleError

    try:
        Locale.parse(babel_locale(language))
    except (UnknownLocaleError, ValueError):
        raise UsageError(f"no locale data for language '{language}'") from None
    return Interface(language)
