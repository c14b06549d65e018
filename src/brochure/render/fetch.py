"""A URL fetcher that only reads files from allowed folders and never touches the network.

WeasyPrint's default fetcher follows file://, http(s) and ftp URLs anywhere: a template or
stylesheet shared between clinics could pull a private file into a PDF or call out to a
server. This one serves files inside the allowed folders (symlinks resolved first), small
``data:`` URLs, and nothing else; every refusal is recorded so the build can fail with the
file and line that asked for it.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from brochure.content.safefile import Refused, read_inside, resolve_inside
from brochure.errors import RenderError, display_path

DATA_URL_CAP = 256 * 1024
FETCHED_FILE_CAP = 20 * 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    """A URL the fetcher would not load, and why."""

    url: str
    reason: str


def _data_url(url: str) -> tuple[bytes, str]:
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
                raise ValueError(f"refused to load {url[:120]}: {reason}")
            if path is None:  # a data: URL within the cap
                try:
                    body, mime = _data_url(url)
                except ValueError:  # binascii.Error: not base64
                    reason = "the data: URL is not valid base64; save the file in assets/"
                    refused.append(Refusal(url, reason))
                    raise ValueError(f"refused to load {url[:120]}: {reason}") from None
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            try:
                body = read_inside(path, allowed, limit=FETCHED_FILE_CAP)
            except Refused as exc:
                refused.append(Refusal(url, exc.reason))
                raise ValueError(f"refused to load {url[:120]}: {exc.reason}") from None
            if svg is not None and path.suffix.lower() == ".svg":
                body = svg(body.decode("utf-8", errors="replace")).encode("utf-8")
            # The type, as WeasyPrint's own fetcher gives it: an SVG served without one is
            # first tried as a raster image, which loads every Pillow plugin to say no.
            kind = mimetypes.guess_type(path.name)[0]
            return URLFetcherResponse(path.as_uri(), body,
                                      {"Content-Type": kind} if kind else None)

    return SafeFetcher()


def locate(url: str, files: list[Path]) -> tuple[Path, int, int] | None:
    """Find the line that refers to ``url`` in the project's own files (best effort)."""
    parts = urlsplit(url)
    probes = [url]
    if parts.scheme == "file":
        path = unquote(parts.path)
        probes += [path, Path(path).name]
    elif parts.scheme != "data":
        probes.append(parts.netloc + parts.path)
    else:
        probes.append(url[:40])
    for probe in probes:
        if not probe:
            continue
        for file in files:
            try:
                raw = read_inside(file, (file.parent,), limit=2_000_000)
            except Refused:
                continue
            lines = raw.decode("utf-8", errors="replace").splitlines()
            for number, line in enumerate(lines, start=1):
                column = line.find(probe)
                if column >= 0:
                    return file, number, column + 1
    return None


def project_files(root: Path) -> list[Path]:
    """Return the project's own files that can refer to a URL: templates, styles, content."""
    found: list[Path] = []
    for folder, pattern in (("templates", "*"), ("styles", "*.css"), ("handouts", "*.yaml"),
                            ("assets", "*.svg")):
        base = root / folder
        if base.is_dir():
            found += sorted(p for p in base.rglob(pattern) if p.is_file())
    return found


def refused_error(refused: list[Refusal], root: Path) -> RenderError:
    """Build the error for the first refused URL, naming the file and line that asked for it."""
    first = refused[0]
    shown = first.url if len(first.url) <= 80 else first.url[:77] + "..."
    parts = urlsplit(first.url)
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
        if path.is_relative_to(root.absolute()):
            shown = str(path.relative_to(root.absolute()))
    where = locate(first.url, project_files(root))
    prefix = f"{display_path(where[0])}:{where[1]}:{where[2]}: " if where else ""
    more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
    return RenderError(f"{prefix}refused to load '{shown}': {first.reason}{more}")


def broken_image_error(broken: list[tuple[str, str]], root: Path) -> RenderError:
    """Build the error for the first image that could not be loaded, naming file and reason."""
    url, reason = broken[0]
    parts = urlsplit(url)
    shown = url if len(url) <= 80 else url[:77] + "..."
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
        shown = display_path(path)
    elif parts.scheme == "data":
        shown = "a data: URL"
    where = locate(url, project_files(root))
    prefix = f"{display_path(where[0])}:{where[1]}:{where[2]}: " if where else ""
    more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
    return RenderError(f"{prefix}cannot use the image '{shown}': {reason}{more}")


class _Attachments(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "attachment" in (values.get("rel") or "").lower().split():
            self.found.append(values.get("href") or "")


def attachment_error(html: str, root: Path) -> RenderError | None:
    """Refuse rel=attachment links: WeasyPrint would embed the linked file in the PDF."""
    parser = _Attachments()
    parser.feed(html)
    if not parser.found:
        return None
    href = parser.found[0]
    where = locate(href, project_files(root)) if href else None
    prefix = f"{display_path(where[0])}:{where[1]}:{where[2]}: " if where else ""
    return RenderError(f"{prefix}refused to attach '{href}' to the PDF: brochures never embed "
                       "files; remove rel=\"attachment\"")
