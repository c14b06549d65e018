"""Resolve the relative URLs of a stylesheet against the stylesheet's own file.

The stylesheets of a brochure are joined into one (and put inline in ``--html``), which
would make ``url("../assets/x.svg")`` in ``styles/handout.css`` resolve against the
project root. Each sheet's relative URLs are made absolute first, as a browser would
resolve them, with tinycss2 (WeasyPrint's own CSS parser). The same walk finds where in
its sheet each URL is written, so a refusal can name the line, and finds ``@import``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit


@dataclass(frozen=True)
class Site:
    """One URL of a stylesheet: as the renderer asks for it, and where it is written."""

    url: str  # resolved against the sheet, as in the joined stylesheet
    line: int
    column: int
    escaped: bool  # a backslash in the written URL: CSS reads '\.' as '.'


def _absolute(url: str, base: str) -> str:
    if not url or url.startswith("#") or urlsplit(url).scheme:
        return url  # a fragment or an absolute URL: the fetcher decides
    return urljoin(base, url)


def _quoted(value: str) -> str:
    from tinycss2.serializer import serialize_string_value

    return f'"{serialize_string_value(value)}"'


def _url_tokens(tokens: Any) -> Iterator[Any]:
    """Yield every URL token, and every string argument of url() and src(), in order."""
    from tinycss2 import ast

    for token in tokens or ():
        if isinstance(token, ast.URLToken):
            yield token
        elif isinstance(token, ast.FunctionBlock):
            if token.lower_name in {"url", "src"}:
                yield from (argument for argument in token.arguments
                            if isinstance(argument, ast.StringToken))
            yield from _url_tokens(token.arguments)
        elif isinstance(getattr(token, "content", None), list):
            yield from _url_tokens(token.content)


def _tokens(css: str) -> list[Any]:
    import tinycss2

    return list(tinycss2.parse_component_value_list(css, skip_comments=False))


def absolute_urls(css: str, sheet: Path) -> str:
    """Return ``css`` with every relative URL resolved against the file ``sheet``.

    The sheet is read as a list of tokens, not rules, so a broken rule is kept as written
    (WeasyPrint then reports it) instead of stopping the rewrite.
    """
    if "url(" not in css.lower() and "src(" not in css.lower():
        return css
    import tinycss2

    tokens = _tokens(css)
    base = sheet.absolute().as_uri()
    for token in _url_tokens(tokens):
        token.value = _absolute(token.value, base)
        quoted = _quoted(token.value)
        token.representation = quoted if token.type == "string" else f"url({quoted})"
    return str(tinycss2.serialize(tokens))


def url_sites(css: str, sheet: Path) -> list[Site]:
    """Return every URL of ``css`` resolved against ``sheet``, with its line and column."""
    if "url(" not in css.lower() and "src(" not in css.lower():
        return []
    lines = css.splitlines()
    base = sheet.absolute().as_uri()
    found = []
    for token in _url_tokens(_tokens(css)):
        written = lines[token.source_line - 1][token.source_column - 1:] \
            if token.source_line <= len(lines) else ""
        end = written.find(")")
        found.append(Site(_absolute(token.value, base), token.source_line, token.source_column,
                          "\\" in (written[:end] if end >= 0 else written)))
    return found


def find_import(css: str) -> tuple[int, int, str] | None:
    """Return (line, column, what it imports) of the first ``@import`` in ``css``, if any."""
    if "@" not in css:
        return None
    from tinycss2 import ast

    tokens = _tokens(css)
    stack = [iter(tokens)]
    while stack:
        for token in stack[-1]:
            if isinstance(token, ast.AtKeywordToken) and token.lower_value == "import":
                return token.source_line, token.source_column, _imported(tokens, token)
            if isinstance(getattr(token, "content", None), list):
                stack.append(iter(token.content))
                break
        else:
            stack.pop()
    return None


def _imported(tokens: list[Any], at: Any) -> str:
    """Return the file an ``@import`` names (its string or url() argument)."""
    from tinycss2 import ast

    def first(items: list[Any]) -> str | None:
        for item in items:
            if isinstance(item, ast.StringToken | ast.URLToken):
                return str(item.value)
            if isinstance(item, ast.FunctionBlock) and item.lower_name == "url":
                return first(item.arguments)
        return None

    container = next((t.content for t in _walk_blocks(tokens) if at in t.content), tokens)
    rest = container[container.index(at) + 1:]
    stop = next((i for i, t in enumerate(rest) if isinstance(t, ast.LiteralToken)
                 and t.value == ";"), len(rest))
    return first(rest[:stop]) or ""


def _walk_blocks(tokens: list[Any]) -> Iterator[Any]:
    for token in tokens:
        content = getattr(token, "content", None)
        if isinstance(content, list):
            yield token
            yield from _walk_blocks(content)
