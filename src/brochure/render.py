"""Render stage: composed HTML to PDF bytes with WeasyPrint (imported here, lazily)."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
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
    from multiprocessing import util

    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    # WeasyPrint copies @font-face fonts into a temporary folder that it removes when the
    # configuration is garbage-collected, which never happens to this process-wide one
    # (worker processes leave with os._exit). multiprocessing runs exit finalizers both
    # in workers and in the main process, so the folder goes with the process.
    util.Finalize(config, _remove_font_folder, args=(config,), exitpriority=10)
    return config


def _remove_font_folder(config: Any) -> None:
    folder = getattr(config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        config._folder = None


@dataclass(frozen=True)
class _Sheet:
    """A parsed stylesheet and what parsing it refused and warned about."""

    css: Any
    refused: tuple[Any, ...]
    warnings: tuple[str, ...]


_SHEETS: dict[str, _Sheet] = {}  # parsed stylesheets of this process, by text and base
_SHEETS_KEPT = 64


def _stylesheet(css: str, base: str, roots: tuple[Path, ...]) -> _Sheet:
    """Parse a stylesheet once per process and reuse it for every document that uses it.

    Parsing loads its @font-face fonts into the process's font configuration, so a worker
    reads each font file once. What the parse refused or warned about is kept with it and
    reported again for every document, as if the sheet had been parsed for each.
    """
    import weasyprint

    from brochure.fetch import Refusal, make_fetcher

    key = hashlib.sha256("\0".join([css, base, *map(str, roots)]).encode()).hexdigest()
    if key not in _SHEETS:
        refused: list[Refusal] = []
        logger = logging.getLogger("weasyprint")
        handler = _Collect()
        logger.addHandler(handler)
        try:
            parsed = weasyprint.CSS(string=css, base_url=base,
                                    url_fetcher=make_fetcher(roots, refused),
                                    font_config=_font_config())
        finally:
            logger.removeHandler(handler)
        if len(_SHEETS) >= _SHEETS_KEPT:
            _SHEETS.clear()
        _SHEETS[key] = _Sheet(parsed, tuple(refused), tuple(handler.messages))
    return _SHEETS[key]


def render_pdf(html: str, *, roots: tuple[Path, ...], base_url: Path,
               inspect: Callable[[Any], None] | None = None,
               images: dict[str, Any] | None = None,
               css: str | None = None) -> tuple[bytes, list[str]]:
    """Render one HTML document; return the PDF bytes and WeasyPrint's warnings.

    ``inspect`` sees the laid-out ``weasyprint.Document`` before the PDF is written from
    that same layout, and may raise to stop (the fit check). The PDF identifier is a hash
    of the HTML and the CSS, and the dates come from the content, so equal inputs give
    identical files. ``images`` keeps decoded images between documents of one build (the
    logo, the QR code). ``css``, when given, is the page's stylesheet, parsed once per
    process (see ``_stylesheet``) instead of once per document.
    """
    import weasyprint

    from brochure.fetch import Refusal, attachment_error, make_fetcher, refused_error
    from brochure.pdflang import install

    install()

    if (attached := attachment_error(html, base_url)) is not None:
        raise attached
    base = base_url.resolve().as_uri() + "/"
    refused: list[Refusal] = []
    sheets: list[Any] = []
    warnings: list[str] = []
    if css is not None:
        sheet = _stylesheet(css, base, roots)
        refused.extend(sheet.refused)
        warnings.extend(sheet.warnings)
        sheets.append(sheet.css)
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        document = weasyprint.HTML(string=html, base_url=base,
                                   url_fetcher=make_fetcher(roots, refused))
        identity = hashlib.sha256(html.encode("utf-8"))
        if css is not None:
            identity.update(css.encode("utf-8"))
        options = {
            "pdf_variant": PDF_VARIANT,
            "pdf_identifier": identity.hexdigest()[:32].encode(),
        }
        laid_out = document.render(font_config=_font_config(), cache=images,
                                   stylesheets=sheets, **options)
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
    return pdf, warnings + handler.messages
