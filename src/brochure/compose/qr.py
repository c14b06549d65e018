"""Booking QR codes as vector SVG (segno), sized in millimetres for print."""

from __future__ import annotations

import io
import re

from markupsafe import Markup


def qr_svg(url: str, *, title: str, size_mm: float = 28.0, dark: str = "#1f2933") -> Markup:
    """Return an inline SVG QR code for ``url`` with a <title> for screen readers."""
    import segno

    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    # unit-less modules in a viewBox scale to any printed size without losing sharpness
    code.save(buffer, kind="svg", xmldecl=False, svgns=True, nl=False, border=2, dark=dark,
              light="#ffffff", title=title, svgclass="qr", lineclass=None)
    svg = buffer.getvalue().decode("utf-8")
    width, height = code.symbol_size(scale=1, border=2)
    svg = re.sub(r'width="\d+" height="\d+"',
                 f'width="{size_mm}mm" height="{size_mm}mm" viewBox="0 0 {width} {height}" '
                 'role="img"', svg, count=1)
    return Markup(svg)
