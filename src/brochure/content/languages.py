"""Language codes: which ones exist (Babel's CLDR locale data), and a "did you mean" for typos.

A content file's language is the part between its id and ".yaml" (``intro.es.yaml``); a
code is accepted when Babel has locale data for it, so ``es``, ``fr`` and ``pt-BR`` work and
``sp`` is refused with a suggestion.
"""

from __future__ import annotations

import difflib
from functools import cache

# Codes people often type for a language whose ISO 639-1 code differs.
COMMON_SLIPS = {"sp": "es", "ge": "de", "jp": "ja", "cn": "zh", "kr": "ko", "dk": "da",
                "gr": "el", "se": "sv", "cz": "cs", "ua": "uk", "vn": "vi", "il": "he"}


@cache
def known_codes() -> frozenset[str]:
    """Return every language code Babel has locale data for, written ``xx`` or ``xx-YY``."""
    from babel import localedata

    codes: set[str] = set()
    for ident in localedata.locale_identifiers():
        parts = ident.split("_")
        codes.add(parts[0])
        if len(parts) == 2 and len(parts[1]) == 2:
            codes.add(f"{parts[0]}-{parts[1]}")
    return frozenset(codes)


def is_known(code: str) -> bool:
    """Return True when ``code`` names a language Babel knows."""
    return code in known_codes()


def suggest_code(code: str, preferred: list[str] | tuple[str, ...] = ()) -> str:
    """Return " (did you mean 'es'?)" for an unknown code, preferring the project's languages."""
    if code in COMMON_SLIPS:
        return f" (did you mean '{COMMON_SLIPS[code]}'?)"
    for pool, cutoff in ((sorted(preferred), 0.5), (sorted(known_codes()), 0.6)):
        close = difflib.get_close_matches(code, pool, n=1, cutoff=cutoff)
        if close:
            return f" (did you mean '{close[0]}'?)"
    return ""


def unknown_message(code: str, preferred: list[str] | tuple[str, ...] = ()) -> str:
    """Return the message for a language code Babel does not know."""
    return (f"unknown language code '{code}'{suggest_code(code, preferred)}; use a two-letter "
            "ISO 639-1 code such as 'en', 'es' or 'fr' (optionally with a region: 'pt-BR')")


def babel_locale(code: str) -> str:
    """Return Babel's name for a language code: ``pt-BR`` is ``pt_BR``."""
    return code.replace("-", "_")


def display_name(code: str) -> str:
    """Return the language's name in English, such as 'Spanish'."""
    from babel import Locale

    name = Locale.parse(babel_locale(code)).get_display_name("en")
    return str(name) if name else code
