"""One error base for the whole program; the CLI turns these into messages and exit codes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located as precisely as we can."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class BrochureError(Exception):
    """Base of every error the program reports to a person."""

    exit_code = 1

    def lines(self) -> list[str]:
        """Return the message as the lines to print."""
        return [str(self)]


class UsageError(BrochureError):
    """The command was called wrongly (an unknown condition, a bad option value)."""

    exit_code = 2


class ContentError(BrochureError):
    """The content has one or more problems; all of them are listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found in the content")

    def lines(self) -> list[str]:
        """Return one line per problem, then the count."""
        return [str(p) for p in self.problems] + [str(self.args[0])]


class TemplateError(BrochureError):
    """A template could not be read or rendered."""


class RenderError(BrochureError):
    """WeasyPrint could not turn a composed page into a PDF."""


class OutputError(BrochureError):
    """A file could not be written where it was asked for."""


class FitError(BrochureError):
    """Content does not fit a layout's fixed panels or pages; nothing is clipped or written."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        count = len(self.messages)
        super().__init__(self.messages[0] if count == 1 else
                         f"{count} panels or pages do not fit their content")

    def lines(self) -> list[str]:
        """Return one line per panel that overflows, then the count when there are several."""
        return [*self.messages, str(self)] if len(self.messages) > 1 else [str(self)]


def printable(text: str) -> str:
    """Return ``text`` with control characters shown as escapes.

    A message then stays one line and cannot drive the terminal (a file name may hold a
    newline or an escape sequence).
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or char == " ":
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def display_path(path: Path) -> str:
    """Show a path relative to the working folder when it lies inside it.

    Only the folders are resolved: a file that is a link is shown by its own name.
    """
    try:
        full = Path(os.path.abspath(path))  # noqa: PTH100 (resolve() would follow a link)
        shown = str((full.parent.resolve() / full.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        shown = str(path)
    return printable(shown)
