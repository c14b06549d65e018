"""A URL fetcher that only reads files from allowed folders and never touches the network.

WeasyPrint's default fetcher follows file://, http(s) and ftp URLs anywhere: a template or
stylesheet shared between clinics could pull a private file into a PDF or call out to a
server. This one serves files inside the allowed folders (symlinks resolved first), small
``data:`` URLs, and nothing else; every refusal is recorded, and the render fails with
``Unloaded``, which a caller that knows the project turns into a message naming the file
and line that asked for the URL (recipe/refusals.py).
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from brochure.errors import RenderError, shorten
from brochure.safefile import Refused, read_inside, resolve_inside

DATA_URL_CAP = 256 * 1024
FETCHED_FILE_CAP = 20 * 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    """A URL the fetcher would not load, and why."""

    url: str
    reason: str


def data_url(url: str) -> tuple[bytes, str]:
    """Return a data: URL's bytes and MIME type."""
    header, _, payload = url[5:].partition(",")
    mime = header.split(";")[0] or "text/plain"
    if header.endswith(";base64"):
        return base64.b64decode(payload, validate=False), mime
    return unquote_to_bytes(payload), mime


def check_url(url: str, roots: tuple[Path, ...]) -> tuple[Path | None, str | None]:
    """Return (file to serve, None) when ``url`` may load, else (None, reason)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        if len(url) > DATA_URL_CAP:
            return None, (f"a data: URL of {len(url):,} characters is over the "
                          f"{DATA_URL_CAP:,} limit; save it as a file in assets/")
        return None, None
    if scheme != "file":
        return None, ("brochures never load anything from the network; save the file in "
                      "the project's assets/ folder and refer to it there")
    raw = Path(unquote(parts.path))
    if "\0" in str(raw):
        return None, "the address holds a NUL character"
    try:
        path = resolve_inside(raw, roots)
    except Refused as exc:
        if "outside" in exc.reason:
            why = "it points outside" if raw.is_symlink() or Path(os.path.realpath(raw)) != \
                raw.absolute() else "it is outside"
            return None, (f"{why} the project's assets/, styles/ and templates/ folders; "
                          "copy the file into assets/")
        return None, exc.reason
    return path, None


def make_fetcher(roots: tuple[Path, ...], refused: list[Refusal],
                 svg: Callable[[str], str] | None = None) -> Any:
    """Return a WeasyPrint URL fetcher limited to files under ``roots``; refusals go to a list.

    ``svg`` rewrites the text of every SVG file it serves (the print shop's CMYK colours).
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = tuple(root.resolve() for root in roots)

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        """Serves allowed files and small data: URLs; never opens a connection."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            path, reason = check_url(url, allowed)
            if reason is not None:
                refused.append(Refusal(url, reason))
                raise ValueError(f"refused to load {shorten(url)}: {reason}")
            if path is None:  # a data: URL within the cap
                try:
                    body, mime = data_url(url)
                except ValueError:  # binascii.Error: not base64
                    reason = "the data: URL is not valid base64; save the file in assets/"
                    refused.append(Refusal(url, reason))
                    raise ValueError(f"refused to load {shorten(url)}: {reason}") from None
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            try:
                body = read_inside(path, allowed, limit=FETCHED_FILE_CAP)
            except Refused as exc:
                refused.append(Refusal(url, exc.reason))
                raise ValueError(f"refused to load {shorten(url)}: {exc.reason}") from None
            if svg is not None and path.suffix.lower() == ".svg":
                body = svg(body.decode("utf-8", errors="replace")).encode("utf-8")
            # The type, as WeasyPrint's own fetcher gives it: an SVG served without one is
            # first tried as a raster image, which loads every Pillow plugin to say no.
            kind = mimetypes.guess_type(path.name)[0]
            return URLFetcherResponse(path.as_uri(), body,
                                      {"Content-Type": kind} if kind else None)

    return SafeFetcher()


Kind = Literal["refused", "image", "attachment"]


class Unloaded(RenderError):
    """What a render would not load: refused URLs, unusable images or an attachment.

    ``kind`` says which; ``items`` holds (url, reason) for each, in order.

    Its own message names the URL; recipe/refusals.py names the project file and line
    that asked for it, which this stage does not know.
    """

    def __init__(self, kind: Kind, items: tuple[tuple[str, str], ...]) -> None:
        self.kind: Kind = kind
        self.items = items
        url, reason = items[0]
        more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
        if kind == "attachment":
            text = (f"refused to attach '{url}' to the PDF: brochures never embed files; "
                    'remove rel="attachment"')
        elif kind == "image":
            text = f"cannot use the image '{shorten(url, 80)}': {reason}{more}"
        else:
            text = f"refused to load '{shorten(url, 80)}': {reason}{more}"
        super().__init__(text)

    def __reduce__(self) -> tuple[type[Unloaded], tuple[Kind, tuple[tuple[str, str], ...]]]:
        return type(self), (self.kind, self.items)  # it crosses to the build's process


class _Attachments(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "attachment" in (values.get("rel") or "").lower().split():
            self.found.append(values.get("href") or "")


def attachments(html: str) -> list[str]:
    """Return the href of each rel=attachment link: WeasyPrint would embed the file."""
    parser = _Attachments()
    parser.feed(html)
    return parser.found
