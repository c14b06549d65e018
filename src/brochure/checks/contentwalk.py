"""Walk a PDF's page content keeping the graphics state a prepress check needs.

Transformations, fill and stroke colour spaces and values, line widths and text sizes are
tracked through every page and the form XObjects it draws (pikepdf parses the streams).
Hand-written: no library tracks this state for a check; pdfplumber does for text only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """Return the matrix m then n (PDF order: m is applied first)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """Return the point (x, y) transformed by m."""
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def scale(m: Matrix) -> float:
    """Return the mean scale of a matrix (for line widths and text sizes)."""
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


@dataclass
class Paint:
    """What the content of the pages paints, gathered in one walk."""

    colour_operators: dict[str, int] = field(default_factory=dict)  # rg, RG, g, G, ...
    rgb_spaces: set[str] = field(default_factory=set)
    text: list[tuple[int, tuple[float, ...], str, float]] = field(default_factory=list)
    lines: list[tuple[int, float]] = field(default_factory=list)  # (page, width pt)
    # (page, line, width pt) of every stroke in registration colour: the printer's marks
    marks: list[tuple[int, tuple[float, float, float, float], float]] = field(
        default_factory=list)
    images: list[tuple[int, str, float]] = field(default_factory=list)  # (page, name, ppi)


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill_space: str = "DeviceGray"
    fill: tuple[float, ...] = (0.0,)
    stroke_space: str = "DeviceGray"
    width: float = 1.0


def _space_name(value: Any, resources: Any) -> str:
    """Return a colour space's family, or 'Registration' for a Separation named All."""
    import pikepdf

    name = str(value)
    if name in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern"):
        return name[1:]
    spaces = resources.get("/ColorSpace", {}) if resources is not None else {}
    space = spaces.get(name, value)
    if isinstance(space, pikepdf.Array):
        family = str(space[0])[1:]
        if family == "Separation" and str(space[1]) == "/All":
            return "Registration"
        if family == "ICCBased":
            n = int(space[1].get("/N", 0))
            return {1: "ICCGray", 3: "ICCRGB", 4: "ICCCMYK"}.get(n, "ICCBased")
        return family
    return str(space).lstrip("/")


def _numbers(operands: list[Any]) -> tuple[float, ...]:
    out = []
    for value in operands:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            continue
    return tuple(out)


def walk(pdf: Any) -> Paint:
    """Walk every page's content and gather what it paints."""
    paint = Paint()
    for number, page in enumerate(pdf.pages, start=1):
        _walk_stream(page, page.obj.get("/Resources"), IDENTITY, number, paint, depth=0)
    return paint


def _walk_stream(source: Any, resources: Any, ctm: Matrix, page: int, paint: Paint,
                 depth: int) -> None:
    import pikepdf

    if depth > 8:
        return
    state = _State(ctm=ctm)
    stack: list[_State] = []
    text_matrix, line_matrix, size = IDENTITY, IDENTITY, 0.0
    path: list[tuple[float, float]] = []
    segments: list[tuple[float, float, float, float]] = []
    for instruction in pikepdf.parse_content_stream(source):
        operands, name = list(instruction.operands), str(instruction.operator)
        if name == "q":
            stack.append(_State(state.ctm, state.fill_space, state.fill, state.stroke_space,
                                state.width))
        elif name == "Q" and stack:
            state = stack.pop()
        elif name == "cm":
            state.ctm = multiply(tuple(_numbers(operands)), state.ctm)  # type: ignore[arg-type]
        elif name in ("rg", "RG", "g", "G", "k", "K"):
            paint.colour_operators[name] = paint.colour_operators.get(name, 0) + 1
            family = {"rg": "DeviceRGB", "g": "DeviceGray", "k": "DeviceCMYK"}[name.lower()]
            if name.islower():
                state.fill_space, state.fill = family, _numbers(operands)
            else:
                state.stroke_space = family
        elif name in ("cs", "CS"):
            family = _space_name(operands[0], resources)
            if family in ("DeviceRGB", "ICCRGB", "CalRGB", "Lab"):
                paint.rgb_spaces.add(family)
            if name == "cs":
                state.fill_space, state.fill = family, ()
            else:
                state.stroke_space = family
        elif name in ("sc", "scn"):
            state.fill = _numbers(operands)
        elif name == "w":
            state.width = _numbers(operands)[0]
        elif name == "BT":
            text_matrix = line_matrix = IDENTITY
        elif name == "Tf":
            size = _numbers(operands)[-1]
        elif name == "Tm":
            text_matrix = line_matrix = tuple(_numbers(operands))  # type: ignore[assignment]
        elif name in ("Td", "TD"):
            tx, ty = _numbers(operands)[:2]
            line_matrix = text_matrix = multiply((1, 0, 0, 1, tx, ty), line_matrix)
        elif name in ("Tj", "TJ", "'", '"'):
            effective = size * scale(multiply(text_matrix, state.ctm))
            paint.text.append((page, state.fill, state.fill_space, effective))
        elif name in ("m", "l"):
            x, y = _numbers(operands)[:2]
            point = apply(state.ctm, x, y)
            if name == "l" and path:
                segments.append((*path[-1], *point))
            path.append(point)
        elif name == "re":
            path = []
        elif name in ("S", "s", "B", "B*", "b", "b*"):
            paint.lines.append((page, state.width * scale(state.ctm)))
            if state.stroke_space == "Registration":
                width = state.width * scale(state.ctm)
                paint.marks.extend((page, s, width) for s in segments)
            path, segments = [], []
        elif name in ("f", "F", "f*", "n", "W", "W*"):
            if name != "W" and name != "W*":
                path, segments = [], []
        elif name == "Do" and resources is not None:
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is None:
                continue
            if xobject.get("/Subtype") == pikepdf.Name.Image:
                _image(xobject, str(operands[0]), state.ctm, page, paint)
            elif xobject.get("/Subtype") == pikepdf.Name.Form:
                matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                inner = xobject.get("/Resources", resources)
                _walk_stream(xobject, inner, multiply(matrix, state.ctm),  # type: ignore[arg-type]
                             page, paint, depth + 1)


def _image(xobject: Any, name: str, ctm: Matrix, page: int, paint: Paint) -> None:
    """Record an image's effective resolution at its placed size."""
    width_in = math.hypot(ctm[0], ctm[1]) / 72
    height_in = math.hypot(ctm[2], ctm[3]) / 72
    if width_in <= 0 or height_in <= 0:
        return
    ppi = min(int(xobject.Width) / width_in, int(xobject.Height) / height_in)
    paint.images.append((page, name, ppi))
    space = str(xobject.get("/ColorSpace", ""))
    if space == "/DeviceRGB":
        paint.rgb_spaces.add("DeviceRGB image")


def is_pure_k(colour: tuple[float, ...], space: str) -> bool:
    """Return True when a colour puts ink on the black plate only (or no ink at all)."""
    if space == "DeviceGray":
        return True
    if space in ("DeviceCMYK", "ICCCMYK") and len(colour) == 4:
        return all(v == 0 for v in colour[:3])
    return False


def plates(colour: tuple[float, ...], space: str) -> int:
    """Return how many plates a CMYK colour inks (4 for anything not CMYK or gray)."""
    if space == "DeviceGray":
        return 1 if colour and colour[0] < 1 else 0
    if space in ("DeviceCMYK", "ICCCMYK") and len(colour) == 4:
        return sum(1 for v in colour if v > 0)
    return 4
