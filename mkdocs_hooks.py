"""MkDocs hooks: the command help that mkdocs-click turns into Markdown keeps its <placeholders>.

A docstring such as "Files are named <condition>.<layout>.<paper>.<language>.pdf" reaches
Markdown as text, where ``<condition>`` reads as an HTML tag and disappears from the page.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"<(condition|layout|paper|language|lang|id)>")


def on_page_content(html: str, page: Any, **_: Any) -> str:
    """Show the help's placeholders as text on the generated command line page."""
    if page.file.src_uri != "cli.md":
        return html
    return PLACEHOLDER.sub(r"&lt;\1&gt;", html)
