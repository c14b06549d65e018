"""Name the project file and line behind a URL the renderer would not load.

The renderer refuses URLs outside the project's asset folders, images it cannot use and
rel=attachment links, and says only which (render/fetch.py's ``Unloaded``). This finds
where the project's own templates, stylesheets and content ask for each, so the message
starts with ``file:line:column``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from brochure.compose.cssurls import url_sites
from brochure.errors import RenderError, display_path, printable, shorten
from brochure.render.fetch import data_url
from brochure.safefile import Refused, read_inside


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


def _decoded(url: str) -> str:
    """Return what a data: URL holds, as text (empty when it cannot be decoded)."""
    try:
        body, _ = data_url(url)
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
    return _indata_url(texts, probes[:2]) or _written(texts, probes)


def _written(texts: dict[Path, str], probes: list[str]) -> Found | None:
    """Find the first line that holds one of ``probes`` as it is written."""
    for probe in probes:
        for file, text in texts.items():
            for number, line in enumerate(text.splitlines(), start=1):
                column = line.find(probe)
                if column >= 0:
                    return Found(file, number, column + 1)
    return None


def _indata_url(texts: dict[Path, str], probes: list[str]) -> Found | None:
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


def refused_error(refused: list[tuple[str, str]], root: Path) -> RenderError:
    """Build the error for the first refused URL, naming the file and line that asked for it.

    ``refused`` holds (url, reason) pairs.
    """
    url, reason = refused[0]
    where = locate(url, project_files(root))
    prefix = where.prefix() if where else ""
    inside = where.inside if where else ""
    hint = ESCAPE_HINT if where and where.escaped else ""
    more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
    return RenderError(f"{prefix}refused to load '{_shown(url, root)}'{inside}: "
                       f"{reason}{hint}{more}")


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


def located(kind: str, items: tuple[tuple[str, str], ...], root: Path) -> RenderError:
    """Build the error for what the renderer would not load, naming the file and line.

    ``kind`` and ``items`` are render/fetch.py's ``Unloaded``'s; the first item is named.
    """
    if kind == "attachment":
        return attachment_error(items[0][0], root)
    if kind == "image":
        return broken_image_error(list(items), root)
    return refused_error(list(items), root)


def attachment_error(href: str, root: Path) -> RenderError:
    """Build the error for a rel=attachment link: WeasyPrint would embed the linked file."""
    where = locate(href, project_files(root)) if href else None
    prefix = where.prefix() if where else ""
    return RenderError(f"{prefix}refused to attach '{href}' to the PDF: brochures never embed "
                       "files; remove rel=\"attachment\"")
