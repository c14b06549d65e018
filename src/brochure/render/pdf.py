"""Render stage: composed HTML to PDF bytes with WeasyPrint (imported here, lazily)."""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from brochure.errors import RenderError, printable, shorten
from brochure.render.measure import Facts, facts
from brochure.render.weasy import is_fetch_refusal, remove_font_folder

if TYPE_CHECKING:
    from brochure.render.fetch import Refusal, Unloaded

PDF_VARIANT = "pdf/ua-1"


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings so a build can report them (and --strict can fail on them).

    An image WeasyPrint could not load is not a warning but an error (a brochure without
    its logo is not finished): it is kept in ``broken`` with the reason, which WeasyPrint
    itself leaves out of its message.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.broken: list[tuple[str, str]] = []  # (url, reason)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Failed to load image") and len(record.args or ()) == 2:
            url, exc = record.args  # type: ignore[misc]
            # A refusal by the fetcher is reported as such, with its own reason.
            if isinstance(exc, BaseException) and not is_fetch_refusal(exc):
                self.broken.append((str(url), image_reason(exc)))
            return
        if message.startswith("Failed to render SVG image"):
            url = str(record.args[0]) if record.args else ""  # type: ignore[index]
            self.broken.append((url, "the SVG could not be drawn"))
            return
        self.messages.append(printable(message))


def image_reason(exc: BaseException) -> str:
    """Say in words why an image could not be loaded (WeasyPrint keeps it in the cause)."""
    cause = exc.__cause__ or exc.__context__ or exc
    name = type(cause).__name__
    text = printable(" ".join(str(cause).split()))
    if name in {"DecompressionBombError", "DecompressionBombWarning"}:
        return ("the image has too many pixels to decode safely; save it smaller (a logo "
                "needs at most a few thousand pixels across)")
    if name == "UnidentifiedImageError" or "cannot identify image" in text:
        return "it is not an image the renderer can read; save it as PNG, JPEG or SVG"
    if name == "ParseError":
        line, column = getattr(cause, "position", (0, 0))
        text = re.sub(r":? line \d+, column \d+$", "", text)
        at = f" at line {line}, column {column + 1} of the SVG" if line else ""
        return (f"the SVG is not well-formed XML{at} ({shorten(text, 200)}); fix or "
                "re-export it")
    if isinstance(cause, MemoryError):
        return "decoding it needed more memory than the limit; save the image smaller"
    return f"{shorten(text, 200) or name}; replace it with a working PNG or SVG file"


@cache
def _font_config() -> Any:
    from multiprocessing import util

    from weasyprint.text.fonts import FontConfiguration

    from brochure.render.fontconf import only_our_fonts

    with only_our_fonts():
        config = FontConfiguration()
    # WeasyPrint copies @font-face fonts into a temporary folder that it removes when the
    # configuration is garbage-collected, which never happens to this process-wide one
    # (worker processes leave with os._exit). multiprocessing runs exit finalizers both
    # in workers and in the main process, so the folder goes with the process.
    util.Finalize(config, remove_font_folder, args=(config,), exitpriority=10)
    return config


def _fonts() -> Any:
    """Return the font configuration; a new one if its font folder was removed meanwhile.

    The folder lies in a command's private temporary folder; should that be removed
    without a reset (another process cleaning up after a killed one), the configuration
    is made again rather than pointing WeasyPrint at files that are gone.
    """
    from brochure.render.weasy import font_folder_gone

    if _font_config.cache_info().currsize and font_folder_gone(_font_config()):
        reset()
    return _font_config()


def reset() -> None:
    """Forget the font configuration and parsed stylesheets; the next render makes new ones.

    A build's end removes its private temporary folder, where their fonts were copied.
    """
    if _font_config.cache_info().currsize:
        remove_font_folder(_font_config())
    _font_config.cache_clear()
    _SHEETS.clear()
    from brochure.render.fontconf import forget

    forget()


@dataclass(frozen=True)
class _Sheet:
    """A parsed stylesheet and what parsing it refused and warned about."""

    css: Any
    refused: tuple[Any, ...]
    warnings: tuple[str, ...]
    profiles: dict[str, Any]  # its @color-profile rules, which the document must be given


_SHEETS: dict[str, _Sheet] = {}  # parsed stylesheets of this process, by text and base
_SHEETS_KEPT = 64


def _stylesheet(css: str, base: str, roots: tuple[Path, ...]) -> _Sheet:
    """Parse a stylesheet once per process and reuse it for every document that uses it.

    Parsing loads its @font-face fonts into the process's font configuration, so a worker
    reads each font file once. What the parse refused or warned about is kept with it and
    reported again for every document, as if the sheet had been parsed for each.
    """
    import weasyprint

    from brochure.render.fetch import make_fetcher

    key = hashlib.sha256("\0".join([css, base, *map(str, roots)]).encode()).hexdigest()
    if key not in _SHEETS:
        refused: list[Refusal] = []
        logger = logging.getLogger("weasyprint")
        handler = _Collect()
        logger.addHandler(handler)
        profiles: dict[str, Any] = {}
        try:
            parsed = weasyprint.CSS(string=css, base_url=base,
                                    url_fetcher=make_fetcher(roots, refused),
                                    font_config=_fonts(), color_profiles=profiles)
        finally:
            logger.removeHandler(handler)
        if len(_SHEETS) >= _SHEETS_KEPT:
            _SHEETS.clear()
        _SHEETS[key] = _Sheet(parsed, tuple(refused), tuple(handler.messages), profiles)
    return _SHEETS[key]


class Render(Protocol):
    """What renders a document: ``render_pdf`` here, or an engine's worker (its ``render``)."""

    def __call__(self, html: str, *, roots: tuple[Path, ...], base_url: Path,
                 inspect: Callable[[Facts], None] | None = ...,
                 images: dict[str, Any] | None = ..., css: str | None = ...,
                 variant: str = ...,
                 svg: Callable[[str], str] | None = ...) -> tuple[bytes, list[str]]:
        """Render ``html``; return the PDF bytes and WeasyPrint's warnings."""


def render_pdf(html: str, *, roots: tuple[Path, ...], base_url: Path,
               inspect: Callable[[Facts], None] | None = None,
               images: dict[str, Any] | None = None,
               css: str | None = None,
               variant: str = PDF_VARIANT,
               svg: Callable[[str], str] | None = None) -> tuple[bytes, list[str]]:
    """Render one HTML document; return the PDF bytes and WeasyPrint's warnings.

    ``inspect`` sees the measurements of the laid-out document (render/measure.py) before
    the PDF is written from that same layout, and may raise to stop (the fit check). The
    PDF identifier is a hash of the HTML and the CSS, and the dates come from the content,
    so equal inputs give identical files. ``images`` keeps decoded images between
    documents of one build (the logo, the QR code). ``css``, when given, is the page's
    stylesheet, parsed once per process (see ``_stylesheet``) instead of once per document.
    ``variant`` is the PDF standard claimed: PDF/UA-1 for the office, PDF/X-4 for a print
    shop, PDF/A-2u to keep. An engine's ``render`` (brochure.engine) takes the same
    arguments and renders in a worker process. A URL the fetcher refused, an image
    that cannot be used or a rel=attachment link raises ``fetch.Unloaded``, for a caller
    that knows the project to place (recipe/refusals.py's ``located``).
    """
    import weasyprint

    from brochure.render.fetch import Unloaded, attachments, make_fetcher
    from brochure.render.pdflang import install

    install()

    if attached := attachments(html):  # a caller names the file: recipe/refusals.py
        raise Unloaded("attachment", ((attached[0], ""),))
    base = base_url.resolve().as_uri() + "/"
    refused: list[Refusal] = []
    sheets: list[Any] = []
    messages: list[str] = []
    profiles: dict[str, Any] = {}
    if css is not None:
        sheet = _stylesheet(css, base, roots)
        refused.extend(sheet.refused)
        messages.extend(sheet.warnings)
        sheets.append(sheet.css)
        profiles.update(sheet.profiles)
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    bombs = warnings.catch_warnings()
    bombs.__enter__()  # Pillow's decompression-bomb warning becomes an error, then a message
    warnings.simplefilter("error", _bomb_warning())
    try:
        document = weasyprint.HTML(string=html, base_url=base,
                                   url_fetcher=make_fetcher(roots, refused, svg))
        identity = hashlib.sha256(html.encode("utf-8"))
        if css is not None:
            identity.update(css.encode("utf-8"))
        options: dict[str, Any] = {
            "pdf_variant": variant,
            "pdf_identifier": identity.hexdigest()[:32].encode(),
        }
        if variant.startswith("pdf/a"):
            options["pdf_tags"] = True  # PDF/A-2u does not ask for tags; keep them anyway
        laid_out = document.render(font_config=_fonts(), cache=images,
                                   stylesheets=sheets, color_profiles=profiles, **options)
        if refused:
            raise _refused(refused)
        if handler.broken:
            raise Unloaded("image", tuple(handler.broken))
        if inspect is not None:
            inspect(facts(laid_out))
        pdf: bytes = laid_out.write_pdf(**options)
    except RecursionError:
        raise RenderError("the page is nested too deeply to lay out") from None
    finally:
        bombs.__exit__(None, None, None)
        logger.removeHandler(handler)
    if refused:
        raise _refused(refused)
    if handler.broken:
        raise Unloaded("image", tuple(handler.broken))
    return pdf, messages + handler.messages


def _refused(refused: list[Refusal]) -> Unloaded:
    from brochure.render.fetch import Unloaded

    return Unloaded("refused", tuple((r.url, r.reason) for r in refused))


def _bomb_warning() -> type[Warning]:
    from PIL import Image

    return Image.DecompressionBombWarning
