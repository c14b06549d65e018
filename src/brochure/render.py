"""Render stage: composed HTML to PDF bytes with WeasyPrint (imported here, lazily)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from brochure.errors import RenderError

PDF_VARIANT = "pdf/ua-1"


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings so a build can report them (and --strict can fail on them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@cache
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(html: str, *, roots: tuple[Path, ...], base_url: Path,
               inspect: Callable[[Any], None] | None = None,
               images: dict[str, Any] | None = None) -> tuple[bytes, list[str]]:
    """Render one HTML document; return the PDF bytes and WeasyPrint's warnings.

    ``inspect`` sees the laid-out ``weasyprint.Document`` before the PDF is written from
    that same layout, and may raise to stop (the fit check). The PDF identifier is a hash
    of the HTML and the dates come from the content, so equal inputs give identical files.
    ``images`` keeps decoded images between documents of one build (the logo, the QR code).
    """
    import weasyprint

    from brochure.fetch import Refusal, attachment_error, make_fetcher, refused_error

    if (attached := attachment_error(html, base_url)) is not None:
        raise attached
    refused: list[Refusal] = []
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url.resolve().as_uri() + "/",
            url_fetcher=make_fetcher(roots, refused),
        )
        options = {
            "pdf_variant": PDF_VARIANT,
            "pdf_identifier": hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode(),
        }
        laid_out = document.render(font_config=_font_config(), cache=images, **options)
        if refused:
            raise refused_error(refused, base_url)
        if inspect is not None:
            inspect(laid_out)
        pdf: bytes = laid_out.write_pdf(**options)
    except RecursionError:
        raise RenderError("the page is nested too deeply to lay out") from None
    finally:
        logger.removeHandler(handler)
    if refused:
        raise refused_error(refused, base_url)
    return pdf, handler.messages
