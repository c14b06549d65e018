"""Write an element's own ``lang`` into the PDF's structure tree, so screen readers switch voice.

WeasyPrint 70 writes the document's language (``<html lang>``) to the catalogue's /Lang
but not the ``lang`` of elements inside it. A brochure built with ``--allow-fallback``
prints untranslated parts in the default language, and PDF/UA asks for a /Lang entry on
the structure element of each such passage. WeasyPrint has no hook for structure
attributes, so this wraps the function that builds one structure element per box and adds
/Lang to the elements of boxes whose HTML element carries its own ``lang``. Nothing else
in the tree changes; the test of fallback builds reads the attribute back from the PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

_SKIP = {"html", "body"}  # the document's language is the catalogue's /Lang


def _own_lang(box: Any) -> str | None:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) in _SKIP:
        return None
    lang = element.get("lang")
    return str(lang) if lang else None


def install() -> None:
    """Wrap WeasyPrint's structure-tree builder once per process."""
    import pydyf
    from weasyprint.pdf import tags

    original: Callable[..., Iterator[Any]] = tags._build_box_tree
    if getattr(original, "brochure_lang", False):
        return

    def build(box: Any, *args: Any) -> Iterator[Any]:
        lang = _own_lang(box)
        for element in original(box, *args):
            if lang is not None and "Lang" not in element:
                element["Lang"] = pydyf.String(lang)
            yield element

    build.brochure_lang = True  # type: ignore[attr-defined]
    tags._build_box_tree = build
