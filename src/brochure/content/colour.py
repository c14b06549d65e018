"""Colour arithmetic for WCAG contrast: ratios, and the nearest darker shade that passes."""

from __future__ import annotations

RGB = tuple[float, float, float]


def parse_hex(value: str) -> RGB:
    """Return the sRGB channels (0..1) of '#rgb' or '#rrggbb'."""
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16) / 255, int(digits[2:4], 16) / 255, int(digits[4:6], 16) / 255)


def to_hex(rgb: RGB) -> str:
    """Return '#rrggbb' for sRGB channels in 0..1."""
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(rgb: RGB) -> float:
    """Return the WCAG 2 relative luminance of an sRGB colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """Return the WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def darker_passing(foreground: RGB, background: RGB, target: float) -> str | None:
    """Return the lightest shade of ``foreground`` that reaches ``target`` on ``background``.

    The shade is mixed toward black; None when even black does not reach the target.
    """
    if contrast((0.0, 0.0, 0.0), background) < target:
        return None
    for step in range(0, 101):
        factor = 1 - step / 100
        shade = (foreground[0] * factor, foreground[1] * factor, foreground[2] * factor)
        # Round to the hex we will print, so the printed colour itself passes.
        printed = parse_hex(to_hex(shade))
        if contrast(printed, background) >= target:
            return to_hex(printed)
    return "#000000"
