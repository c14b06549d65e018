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
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from brochure.compose.cssurls import url_sites
from brochure.content.safefile import Refused, read_inside, resolve_inside
from brochure.errors import RenderError, display_path, printable, shorten

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
                raise ValueError(f"refused to load {shorten(url)}: {reason}")
            if path is None:  # a data: URL within the cap
                try:
                    body, mime = _data_url(url)
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


@dataclass(frozen=True)
class Found:
    """Where a project file asks for a URL, and how it is written there."""

    file: Path
    line: int
    column: int
    inside: str = ""  # " (inside a data: URL)" when the URL is in an SVG written inline
    escaped: bool = False  # the stylesheet wrote it with a backslash

    def prefix(self) -> str:
        """Return ``styles/handout.css:3:19: ``."""
        return f"{display_path(self.file)}:{self.line}:{self.column}: "


DATA_URL = re.compile(r"data:[^\s\"'()<>]*,[^\s\"'()<>]*", re.IGNORECASE)


def _decoded(data_url: str) -> str:
    """Return what a data: URL holds, as text (empty when it cannot be decoded)."""
    try:
        body, _ = _data_url(data_url)
    except ValueError:
        return ""
    return body.decode("utf-8", errors="replace")


def _probes(url: str) -> list[str]:
    parts = urlsplit(url)
    probes = [url]
    if parts.scheme == "file":
        path = unquote(parts.path)
        probes += [path, Path(path).name]
    elif parts.scheme != "data":
        probes.append(parts.netloc + parts.path)
    else:
        probes.append(url[:40])
    return [probe for probe in probes if probe]


def _same(a: str, b: str) -> bool:
    """Return True when two URLs name the same thing (file: paths compared normalised)."""
    if a == b:
        return True
    pa, pb = urlsplit(a), urlsplit(b)
    if pa.scheme == pb.scheme == "file":
        return os.path.normpath(unquote(pa.path)) == os.path.normpath(unquote(pb.path))
    return False


def _text(file: Path) -> str | None:
    try:
        raw = read_inside(file, (file.parent,), limit=2_000_000)
    except Refused:
        return None
    return raw.decode("utf-8", errors="replace")


def locate(url: str, files: list[Path]) -> Found | None:
    """Find the line that refers to ``url`` in the project's own files.

    A stylesheet's URLs are compared as the renderer resolved them, so ``url("..\\x")``
    or ``url(%2e%2e/x)`` is found however it is spelled; a URL inside an SVG written as a
    data: URL is found inside it. Other files are searched for the URL's text.
    """
    texts = {file: text for file in files if (text := _text(file)) is not None}
    probes = _probes(url)
    for file, text in texts.items():
        if file.suffix != ".css":
            continue
        for site in url_sites(text, file):
            if _same(site.url, url):
                return Found(file, site.line, site.column, escaped=site.escaped)
            if site.url.lower().startswith("data:") and \
                    any(probe in _decoded(site.url) for probe in probes[:2]):
                return Found(file, site.line, site.column, " (inside a data: URL)")
    return _in_data_url(texts, probes[:2]) or _written(texts, probes)


def _written(texts: dict[Path, str], probes: list[str]) -> Found | None:
    """Find the first line that holds one of ``probes`` as it is written."""
    for probe in probes:
        for file, text in texts.items():
            for number, line in enumerate(text.splitlines(), start=1):
                column = line.find(probe)
                if column >= 0:
                    return Found(file, number, column + 1)
    return None


def _in_data_url(texts: dict[Path, str], probes: list[str]) -> Found | None:
    """Find a data: URL (an SVG written inline in a template) that holds one of ``probes``."""
    for file, text in texts.items():
        for number, line in enumerate(text.splitlines(), start=1):
            for match in DATA_URL.finditer(line):
                if any(probe in _decoded(match[0]) for probe in probes):
                    return Found(file, number, match.start() + 1, " (inside a data: URL)")
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


def _shown(url: str, root: Path) -> str:
    """Show a URL in a message: a project file by its path, a long URL shortened."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
        if path.is_relative_to(root.absolute()):
            return printable(str(path.relative_to(root.absolute())))
    elif parts.scheme.lower() == "data":
        header, comma, payload = url.partition(",")
        return printable(shorten(header, 60) + comma + ("…" if len(payload) > 20 else payload))
    return shorten(printable(url), 80)


ESCAPE_HINT = (" (in CSS a backslash escapes the next character, so '\\.' is read as '.'; "
               "write paths with '/')")


def refused_error(refused: list[Refusal], root: Path) -> RenderError:
    """Build the error for the first refused URL, naming the file and line that asked for it."""
    first = refused[0]
    where = locate(first.url, project_files(root))
    prefix = where.prefix() if where else ""
    inside = where.inside if where else ""
    hint = ESCAPE_HINT if where and where.escaped else ""
    more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
    return RenderError(f"{prefix}refused to load '{_shown(first.url, root)}'{inside}: "
                       f"{first.reason}{hint}{more}")


def broken_image_error(broken: list[tuple[str, str]], root: Path) -> RenderError:
    """Build the error for the first image that could not be loaded, naming file and reason."""
    url, reason = broken[0]
    parts = urlsplit(url)
    shown = display_path(Path(unquote(parts.path))) if parts.scheme == "file" else \
        _shown(url, root)
    where = locate(url, project_files(root))
    prefix = where.prefix() if where else ""
    hint = ESCAPE_HINT if where and where.escaped else ""
    more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
    return RenderError(f"{prefix}cannot use the image '{shown}': {reason}{hint}{more}")


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
    prefix = where.prefix() if where else ""
    return RenderError(f"{prefix}refused to attach '{href}' to the PDF: brochures never embed "
                       "files; remove rel=\"attachment\"")
