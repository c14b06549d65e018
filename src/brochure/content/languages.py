"""Language codes: which ones exist (Babel's CLDR locale data), and a "did you mean" for typos.

A content file's language is the part between its id and ".yaml" (``intro.es.yaml``); a
code is accepted when Babel has locale data for it, so ``es``, ``fr`` and ``pt-BR`` work and
``sp`` is refused with a suggestion.
"""

from __future__ import annotations

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


def _one_slip(a: str, b: str) -> bool:
    """Return True when ``b`` is ``a`` with one letter changed or two neighbours swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                              and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])


def _meant(code: str) -> str | None:
    """Return the known code that ``code`` names in another spelling, or None.

    Only rewrites a person makes on purpose are followed: case and separator (``pt_br``),
    a country code typed for a language (``sp``), CLDR's own aliases for older or
    three-letter codes (``fre``, ``iw``) and regions (``en-UK``). Never a nearest neighbour
    in CLDR's whole list, whose size changes from one Babel release to the next.
    """
    from babel.core import get_global

    lang, _, region = code.replace("_", "-").partition("-")
    lang, region = lang.lower(), region.upper()
    lang = COMMON_SLIPS.get(lang) or str(get_global("language_aliases").get(lang, lang))
    if region:
        alias = get_global("territory_aliases").get(region, [region])
        region = str(alias[0] if isinstance(alias, list) else alias)
        candidate = f"{lang}-{region}"
    else:
        candidate = lang
    return candidate if candidate != code and is_known(candidate) else None


def suggest_code(code: str, preferred: list[str] | tuple[str, ...] = ()) -> str:
    """Return " (did you mean 'es'?)" for an unknown code, or "" when nobody could mean one.

    A suggestion is a known code of the same shape: another spelling of it, or one of the
    project's own languages a typing slip away (``ed`` for ``es``).
    """
    meant = _meant(code)
    near = [meant] if meant else [p for p in sorted(preferred)
                                  if _one_slip(code.lower(), p.lower())]
    return f" (did you mean {' or '.join(repr(p) for p in near)}?)" if near else ""


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
