"""Write an element's own ``lang`` into the PDF's structure tree, so screen readers switch voice.

WeasyPrint 70 writes the document's language (``<html lang>``) to the catalogue's /Lang
but not the ``lang`` of elements inside it. A brochure built with ``--allow-fallback``
prints untranslated parts in the default language, and PDF/UA asks for a /Lang entry on
the structure element of each such passage. WeasyPrint has no hook for structure
attributes, so the adapter (render/weasy.py) adds /Lang to the elements of boxes whose
HTML element carries its own ``lang``. Nothing else in the tree changes; the test of
fallback builds reads the attribute back from the PDF.
"""

from __future__ import annotations

from brochure.render.weasy import Box, add_structure_entries

_SKIP = {"html", "body"}  # the document's language is the catalogue's /Lang


def _own_lang(box: Box) -> dict[str, str]:
    if box.tag is None or box.tag in _SKIP:
        return {}
    lang = box.attribute("lang")
    return {"Lang": lang} if lang else {}


def install() -> None:
    """Add each element's own language to the structure tree, once per process."""
    add_structure_entries(_own_lang)
