"""Resolve the relative URLs of a stylesheet against the stylesheet's own file.

The stylesheets of a brochure are joined into one (and put inline in ``--html``), which
would make ``url("../assets/x.svg")`` in ``styles/handout.css`` resolve against the
project root. Each sheet's relative URLs are made absolute first, as a browser would
resolve them, with tinycss2 (WeasyPrint's own CSS parser).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit


def _absolute(url: str, base: str) -> str:
    if not url or url.startswith("#") or urlsplit(url).scheme:
        return url  # a fragment or an absolute URL: the fetcher decides
    return urljoin(base, url)


def _quoted(value: str) -> str:
    from tinycss2.serializer import serialize_string_value

    return f'"{serialize_string_value(value)}"'


def _walk(tokens: Any, base: str) -> None:
    from tinycss2 import ast

    after_import = False
    for token in tokens or ():
        if isinstance(token, ast.URLToken):
            token.value = _absolute(token.value, base)
            token.representation = f"url({_quoted(token.value)})"
        elif isinstance(token, ast.StringToken) and after_import:
            token.value = _absolute(token.value, base)
            token.representation = _quoted(token.value)
        elif isinstance(token, ast.FunctionBlock):
            if token.lower_name in {"url", "src"}:
                for argument in token.arguments:
                    if isinstance(argument, ast.StringToken):
                        argument.value = _absolute(argument.value, base)
                        argument.representation = _quoted(argument.value)
            _walk(token.arguments, base)
        elif isinstance(getattr(token, "content", None), list):
            _walk(token.content, base)
        if isinstance(token, ast.AtKeywordToken):
            after_import = token.lower_value == "import"
        elif not isinstance(token, ast.WhitespaceToken | ast.Comment):
            after_import = False


def absolute_urls(css: str, sheet: Path) -> str:
    """Return ``css`` with every relative URL resolved against the file ``sheet``.

    The sheet is read as a list of tokens, not rules, so a broken rule is kept as written
    (WeasyPrint then reports it) instead of stopping the rewrite.
    """
    if "url(" not in css.lower() and "@import" not in css.lower():
        return css
    import tinycss2

    tokens = tinycss2.parse_component_value_list(css, skip_comments=False)
    _walk(tokens, sheet.absolute().as_uri())
    return str(tinycss2.serialize(tokens))
