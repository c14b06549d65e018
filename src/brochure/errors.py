"""One error base for the whole program; the CLI turns these into messages and exit codes."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only: errors.py imports nothing of the package at run time
    from brochure.catalogue.run import BuildResult
    from brochure.checks.run import CheckResult


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


class UnprintableText(BrochureError):
    """A patient's name or note needs characters no font of the brochure has."""


class MailError(BrochureError):
    """A personal copy could not be sent (settings, connection, TLS, login or the server)."""


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


def shorten(text: str, width: int = 120) -> str:
    """Return ``text`` cut to about ``width`` characters at a word boundary, with an ellipsis.

    A message quotes what it refuses; a value of thousands of characters would hide the
    reason. Words are never cut: the cut falls at the last space, or in a value without
    spaces (a web address) after the last '/', '&', ',' or ';' that leaves most of it.
    """
    if len(text) <= width:
        return text
    head = text[: width - 1]
    for marks in (" ", "/&,;?=-_."):
        cut = max(head.rfind(mark) for mark in marks)
        if cut >= width // 2:
            kept = head[: cut + (0 if marks == " " else 1)]
            return kept.rstrip(" ,;") + "…"
    return head + "…"


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


class CheckFailed(BrochureError):
    """``build --check`` found errors (or ``--strict``, warnings), so nothing was built."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        found = f"{result.errors} error{'s' if result.errors != 1 else ''}"
        if result.strict and result.warnings:
            found += (f" and {result.warnings} warning{'s' if result.warnings != 1 else ''}"
                      " (strict mode)")
        super().__init__(f"the check found {found}; nothing was built")

    def lines(self) -> list[str]:
        """Return every finding that blocks the build, then the verdict."""
        blocking = {"error", "warning"} if self.result.strict else {"error"}
        found = [f for r in self.result.reports for f in r.findings if f.severity in blocking]
        return [str(f) for f in found] + [str(self)]


class BuildFailed(BrochureError):
    """Some items of a build failed; the others were built and are in the result."""

    def __init__(self, result: BuildResult) -> None:
        self.result = result
        total = len(result.built) + len(result.unchanged) + len(result.failed)
        others = "; the others were built" if result.built else ""
        super().__init__(f"{len(result.failed)} of {total} brochure"
                         f"{'s' if total != 1 else ''} failed{others}; fix the errors "
                         "above and build again")

    def lines(self) -> list[str]:
        """Return each failure, named by its output, then the count.

        Outputs that failed for the same reason (a broken template fails every brochure
        that uses it) share one message.
        """
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.result.failed:
            by_reason.setdefault(reason, []).append(name)
        found = [f"warning: {line}" for line in self.result.warning_lines()]
        for reason, names in by_reason.items():
            first, *rest = reason.split("\n")
            more = f" and {len(names) - 1} more" if len(names) > 1 else ""
            found.append(f"error: {names[0]}{more}: {first}")
            found.extend(rest)
        return [*found, f"error: {self}"]


class StrictWarnings(BrochureError):
    """WeasyPrint warned while rendering a brochure, and --strict counts warnings as errors.

    Each warning comes with its code (``brochure.codes.with_code``), which --ignore takes.
    """

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = list(warnings)
        count = len(self.warnings)
        super().__init__(f"{count} WeasyPrint warning{'s' if count != 1 else ''} in strict "
                         f"mode, so nothing was written: {self.warnings[0]}; fix the "
                         "stylesheet or template, ignore its code with --ignore, or build "
                         "without --strict")


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """Return " (did you mean 'x'?)" for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
