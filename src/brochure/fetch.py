"""A URL fetcher that only reads files from allowed folders and never touches the network.

WeasyPrint's default fetcher follows file://, http(s) and ftp URLs anywhere; content and
templates shared between clinics must not be able to pull a local file into a PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def make_fetcher(roots: tuple[Path, ...], refused: list[str]) -> Any:
    """Return a WeasyPrint URL fetcher limited to files under ``roots``; refusals go to a list."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = tuple(root.resolve() for root in roots)

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_file() and _inside(path, allowed):
                    return URLFetcherResponse(path.as_uri(), path.read_bytes())
            refused.append(url if len(url) < 200 else url[:200] + "...")
            raise ValueError(f"refused to load {url[:200]}")

    return SafeFetcher()
