"""Content text to HTML through a Markdown parser with raw HTML off: content is data, not markup.

Only paragraphs, bullet and numbered lists, **bold**, *italic* and links survive; links are
limited to http(s), mailto and tel. Everything else a marketing editor pastes in (HTML tags,
images, headings) is shown as the plain text it is.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_BLOCK_RULES = ["paragraph", "list"]
_INLINE_RULES = ["emphasis", "link", "escape", "newline", "entity", "text"]


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


@cache
def _parser(quotes: tuple[str, str, str, str] | None = None) -> MarkdownIt:
    # With ``quotes``, straight quotes in the text become the language's quotation marks
    # ("..." is «...» in Spanish); without, the text keeps the marks it was written with.
    options: dict[str, object] = {"html": False, "linkify": False,
                                  "typographer": quotes is not None}
    if quotes is not None:
        options["quotes"] = list(quotes)
    md = MarkdownIt("zero", options)
    md.enable(_BLOCK_RULES).enable(_INLINE_RULES)
    if quotes is not None:
        md.enable("smartquotes")
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


def to_html(text: str, quotes: tuple[str, str, str, str] | None = None) -> Markup:
    """Render a block of content text (paragraphs and lists) to safe HTML."""
    return Markup(_parser(quotes).render(text))


def to_inline_html(text: str, quotes: tuple[str, str, str, str] | None = None) -> Markup:
    """Render one line of content text (bold, italic, links) to safe HTML without a paragraph."""
    return Markup(_parser(quotes).renderInline(text))


def to_plain(text: str) -> str:
    """Return the words a reader sees, without Markdown markers (for alt text and metadata)."""
    tokens = _parser().parseInline(text)
    out: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type in {"text", "code_inline"}:
                out.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                out.append(" ")
    return "".join(out)


def prose_units(text: str) -> list[str]:
    """Return the paragraphs and list items of a text block as plain sentences-to-be."""
    units: list[str] = []
    for token in _parser().parse(text):
        if token.type == "inline":
            plain = to_plain(token.content).strip()
            if plain:
                units.append(plain)
    return units
