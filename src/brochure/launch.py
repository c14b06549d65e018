"""The console script: answers ``brochure --help`` from stored text, else runs the CLI.

Importing Click costs about 40 ms, three times Python's own start-up. The top-level help
is the page people ask for first and it only changes with the commands, so it is stored
in ``helptext.py`` as Click prints it at 80 columns or more; ``tests/test_startup.py``
fails when it differs from what Click prints. Anything else, and narrower terminals
(where Click wraps differently), go to Click.
"""

from __future__ import annotations

import os
import sys

HELP_ARGS = (["--help"], ["-h"])
STORED_WIDTH = 80  # Click wraps help at min(columns, 80) - 2: the same text from 80 up


def columns() -> int:
    """Return the terminal width as ``shutil.get_terminal_size`` does, without importing it."""
    try:
        width = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            width = 0
    return width if width > 0 else 80


def main() -> int | None:
    """Run ``brochure``: the stored top-level help when that is all that is asked for."""
    name = os.path.basename(sys.argv[0])  # noqa: PTH119 (pathlib costs 4 ms to import)
    if sys.argv[1:] in HELP_ARGS and name == "brochure" and columns() >= STORED_WIDTH:
        from brochure.helptext import TOP

        sys.stdout.write(TOP)
        sys.stdout.flush()
        return 0
    from brochure.cli import main as cli

    return cli()  # type: ignore[no-any-return]
