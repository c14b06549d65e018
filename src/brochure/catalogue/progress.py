"""Show a build's progress: a bar with counts and time left on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from brochure.catalogue.run import Progress


class Reporter:
    """Receives each finished item of a build and shows it."""

    def __init__(self, *, quiet: bool = False, tty: bool | None = None) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.bar: Any = None

    def __call__(self, event: Progress) -> None:
        """Show one finished item."""
        if self.quiet:
            return
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=event.total, label="Building",
                                             show_pos=True, show_eta=True,
                                             file=sys.stderr,
                                             item_show_func=lambda name: name)
                self.bar.__enter__()
            self.bar.update(1, event.name)
        elif event.status != "unchanged":  # a rebuild with nothing to do stays short
            width = len(str(event.total))
            click.echo(f"[{event.done:>{width}}/{event.total}] {event.status} {event.name}"
                       f" ({event.seconds:.1f} s)")

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, exc, tb)
            self.bar = None
