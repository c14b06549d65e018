"""Command-line value types that Click lacks: finite numbers and plain paths.

``click.FloatRange`` compares with ``<`` and ``>``, which are both false for nan, so
``--time-limit nan`` passed it; ``inf`` and ``1e10`` overflowed the interval timer.
"""

from __future__ import annotations

import math
import os
from typing import Any

import click

from brochure.errors import printable


class FiniteFloatRange(click.FloatRange):
    """A FloatRange whose value must also be a finite number."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        """Convert and check the value; nan and inf are refused with a usage error."""
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number; give seconds such as 300", param,
                      ctx)
        return super().convert(number, param, ctx)


class PlainPath(click.Path):
    """A click.Path that refuses control characters first (click's stat fails on a NUL)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        """Refuse a NUL, a newline or another control character; then check as click does."""
        text = os.fsdecode(value) if isinstance(value, bytes | os.PathLike) else str(value)
        if any(ord(char) < 32 or ord(char) == 127 for char in text):
            self.fail(f"{printable(text)!r} holds a control character; give a plain folder "
                      "or file name", param, ctx)
        return super().convert(value, param, ctx)
