"""The one place that reaches into WeasyPrint's internals (written against WeasyPrint 70.0).

WeasyPrint's public API (https://doc.courtbouillon.org/weasyprint/stable/api_reference.html)
is the top-level ``HTML``, ``CSS``, ``Attachment`` and ``DEFAULT_OPTIONS``, the
``Document``, ``DocumentMetadata`` and ``Page`` of ``weasyprint.document``, the
``URLFetcher``, ``URLFetcherResponse`` and ``FatalURLFetchingError`` of ``weasyprint.urls``,
``weasyprint.text.fonts.FontConfiguration`` and ``weasyprint.css.counters.CounterStyle``,
and the ``weasyprint`` logger. Anything else may change in any release, so each thing this
program needs beyond it is read here, behind a small typed function that names the
internal; ``tests/test_weasy_adapter.py`` fails naming the internal when a release moves
it, and no other module may touch one. pyproject.toml bounds the dependency below the next
major release.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

WRITTEN_AGAINST = "70.0"


class Box:
    """A box of a laid-out page, read through what the measurements need.

    WeasyPrint's box classes (``weasyprint.formatting_structure.boxes``) and their
    geometry methods are internal; this wraps one without copying it, so reading a large
    page stays cheap. Lengths are CSS pixels from the page's top-left corner.
    """

    __slots__ = ("_box",)

    def __init__(self, box: Any) -> None:
        self._box = box

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Box) and other._box is self._box

    def __hash__(self) -> int:
        return id(self._box)

    def attribute(self, name: str) -> str | None:
        """Return an attribute of the box's HTML element (``box.element.get``), if any."""
        element = getattr(self._box, "element", None)
        value = element.get(name) if element is not None else None
        return str(value) if value is not None else None

    @property
    def tag(self) -> str | None:
        """The box's HTML element name (``box.element_tag``); None for an anonymous box."""
        if getattr(self._box, "element", None) is None:
            return None
        tag = getattr(self._box, "element_tag", None)
        return str(tag) if tag is not None else None

    def has_class(self, name: str) -> bool:
        """Whether the box's HTML element has the class ``name``."""
        return name in (self.attribute("class") or "").split()

    @property
    def children(self) -> Iterator[Box]:
        """The box's child boxes (``box.children``); none for a box that holds none."""
        return (Box(child) for child in getattr(self._box, "children", None) or ())

    @property
    def is_text(self) -> bool:
        """Whether this is a run of text on a line (``boxes.TextBox``)."""
        return type(self._box).__name__ == "TextBox"

    @property
    def text(self) -> str:
        """The text of a text box (``TextBox.text``); empty for any other box."""
        return str(getattr(self._box, "text", "")) if self.is_text else ""

    @property
    def left(self) -> float:
        """Where the border box starts (``border_box_x()``)."""
        return float(self._box.border_box_x())

    @property
    def top(self) -> float:
        """Where the border box starts (``border_box_y()``)."""
        return float(self._box.border_box_y())

    @property
    def right(self) -> float:
        """Where the border box ends (``border_box_x() + border_width()``)."""
        return float(self._box.border_box_x() + self._box.border_width())

    @property
    def bottom(self) -> float:
        """Where the border box ends (``border_box_y() + border_height()``)."""
        return float(self._box.border_box_y() + self._box.border_height())

    @property
    def content_top(self) -> float:
        """Where the content box starts (``content_box_y()``)."""
        return float(self._box.content_box_y())

    @property
    def content_height(self) -> float:
        """The height of the content box (``box.height``)."""
        return float(self._box.height)

    @property
    def content_right(self) -> float:
        """Where the content ends across (``position_x + width``; for a text box, its text)."""
        return float(self._box.position_x + self._box.width)

    @property
    def content_bottom(self) -> float:
        """Where the content ends down (``position_y + height``; for a text box, its line)."""
        return float(self._box.position_y + self._box.height)

    @property
    def margin_height(self) -> float:
        """The height with margins (``margin_height()``)."""
        return float(self._box.margin_height())

    @property
    def margin_bottom(self) -> float:
        """The bottom margin (``box.margin_bottom``)."""
        return float(self._box.margin_bottom)


def root_box(page: Any) -> Box:
    """Return the laid-out box tree of a rendered ``weasyprint.Page`` (``Page._page_box``).

    The public ``Page`` has its size, links and anchors but not its boxes; the fit check
    walks them to measure how full each fixed panel is.
    """
    return Box(page._page_box)


def font_folder_gone(config: Any) -> bool:
    """Return True when the folder a FontConfiguration copied its fonts into was removed.

    The folder is ``FontConfiguration._folder``, made at the first @font-face font.
    """
    folder = getattr(config, "_folder", None)
    return bool(folder) and not Path(str(folder)).is_dir()


def remove_font_folder(config: Any) -> None:
    """Delete the temporary folder a FontConfiguration copies @font-face files into.

    WeasyPrint keeps it as ``FontConfiguration._folder`` and removes it only when the
    configuration is garbage-collected, which never happens to a process-wide one.
    """
    folder = getattr(config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        config._folder = None


def is_fetch_refusal(exc: BaseException) -> bool:
    """Whether ``exc`` is WeasyPrint's wrapping of an error our URL fetcher raised.

    WeasyPrint logs "Failed to load image" with ``weasyprint.urls.URLFetchingError`` (not
    public) when the fetcher raised, and with the decoder's error otherwise.
    """
    return type(exc).__name__ == "URLFetchingError"


Entries = Callable[[Box], Mapping[str, str]]
_ENTRY_HOOKS: list[Entries] = []


def add_structure_entries(entries: Entries) -> None:
    """Add what ``entries`` returns for a box to each structure element made for it.

    WeasyPrint has no hook for structure attributes: this wraps
    ``weasyprint.pdf.tags._build_box_tree``, the generator that yields the structure
    elements (``pydyf.Dictionary``) of a box and its descendants, once per process. An
    entry the element already has is left as WeasyPrint wrote it; values are written as
    PDF strings. Adding the same function again does nothing.
    """
    import pydyf
    from weasyprint.pdf import tags

    if entries not in _ENTRY_HOOKS:
        _ENTRY_HOOKS.append(entries)
    original: Callable[..., Iterator[Any]] = tags._build_box_tree
    if getattr(original, "brochure_entries", False):
        return

    @functools.wraps(original)
    def build(box: Any, *args: Any) -> Iterator[Any]:
        wanted: dict[str, str] = {}
        for hook in _ENTRY_HOOKS:
            wanted.update(hook(Box(box)))
        for element in original(box, *args):
            for key, value in wanted.items():
                if key not in element:
                    element[key] = pydyf.String(value)
            yield element

    build.brochure_entries = True  # type: ignore[attr-defined]
    tags._build_box_tree = build
