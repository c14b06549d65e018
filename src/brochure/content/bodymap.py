"""Body maps: a calm outline figure, front and back, with a condition's regions marked.

The figure is drawn here as vector SVG from a few rounded strokes (no image file, no
font needed): limbs are capsules, so the outline stays friendly at any size. Each named
region is a shape laid over the figure in the brand colour. The SVG's <title> is its alt
text, generated from the regions; WeasyPrint writes it into the tagged PDF's /Alt.

The labels, the region names and the alt text are interface text: the compose stage
passes the brochure's language in (a ``Speaker``), and the words here are only marked for
the gettext catalogues (``N_``), so this content module needs nothing from compose/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from brochure.fonts import font_files

Point = tuple[float, float]

# One figure is drawn in a 100 x 250 box; the back view sits to the right of the front.
FIGURE_W, FIGURE_H, GAP = 100.0, 250.0, 24.0
OUTLINE, FILL = "#6b7a88", "#eef2f5"
BORDER = 1.8  # outline width around every limb

# Joints of the front view, left side of the page; the right side is the mirror image.
SHOULDER, ELBOW, WRIST, HAND = (28.0, 57.0), (17.0, 98.0), (10.0, 135.0), (8.0, 146.0)
HIP, KNEE, ANKLE = (40.0, 128.0), (39.0, 182.0), (39.0, 228.0)
UPPER_ARM_W, FOREARM_W, THIGH_W, SHIN_W = 12.0, 10.0, 16.0, 12.0
TORSO = ("M 27 52 Q 50 44 73 52 Q 76 54 75 62 L 70 104 Q 71 116 69 128 "
         "Q 50 134 31 128 Q 29 116 30 104 L 25 62 Q 24 54 27 52 Z")


class Speaker(Protocol):
    """What the body map needs of a brochure's language: its words, and how it lists things."""

    def gettext(self, message: str) -> str:
        """Return ``message`` in the language."""

    def pgettext(self, context: str, message: str) -> str:
        """Return ``message``, as meant in ``context``, in the language."""

    def listing(self, items: Sequence[str]) -> str:
        """Return 'a, b and c' as the language writes a list."""


class English:
    """The source language of the catalogues: the words as written here."""

    def gettext(self, message: str) -> str:
        """Return ``message`` unchanged."""
        return message

    def pgettext(self, context: str, message: str) -> str:
        """Return ``message`` unchanged."""
        return message

    def listing(self, items: Sequence[str]) -> str:
        """Return the items as an English list, after CLDR."""
        from babel.lists import format_list

        return str(format_list(list(items), locale="en"))


def N_(message: str) -> str:
    """Mark ``message`` for the interface catalogues; it is translated where it is printed."""
    return message


@dataclass(frozen=True)
class Region:
    """A named part of the body and the shapes that mark it on each view."""

    id: str
    words: str  # how the alt text names it: "the lower back" (a catalogue message)
    front: tuple[str, ...] = ()
    back: tuple[str, ...] = ()


def _mirror(p: Point) -> Point:
    return FIGURE_W - p[0], p[1]


def _along(a: Point, b: Point, t: float) -> Point:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def _capsule(a: Point, b: Point, width: float, colour: str) -> str:
    return (f'<line x1="{a[0]:g}" y1="{a[1]:g}" x2="{b[0]:g}" y2="{b[1]:g}" stroke="{colour}" '
            f'stroke-width="{width:g}" stroke-linecap="round"/>')


def _dot(c: Point, r: float, colour: str) -> str:
    return f'<circle cx="{c[0]:g}" cy="{c[1]:g}" r="{r:g}" fill="{colour}"/>'


def _oval(c: Point, rx: float, ry: float, colour: str) -> str:
    return f'<ellipse cx="{c[0]:g}" cy="{c[1]:g}" rx="{rx:g}" ry="{ry:g}" fill="{colour}"/>'


def _both(shape: str) -> tuple[str, ...]:
    """Return a shape template for the left side and its mirror (filled in by _draw)."""
    return (shape + ":L", shape + ":R")


# Shapes are named, then drawn by _draw in the brand colour; ':L'/':R' pick the side.
REGIONS: dict[str, Region] = {r.id: r for r in (
    Region("head", N_("the head"), ("head",), ("head",)),
    Region("neck", N_("the neck"), ("neck",), ("neck",)),
    Region("shoulders", N_("the shoulders"), _both("shoulder"), _both("shoulder")),
    Region("chest", N_("the chest"), front=("chest",)),
    Region("upper-back", N_("the upper back"), back=("upper-back",)),
    Region("lower-back", N_("the lower back"), back=("lower-back",)),
    Region("upper-arms", N_("the upper arms"), _both("upper-arm"), _both("upper-arm")),
    Region("elbows", N_("the elbows"), _both("elbow"), _both("elbow")),
    Region("forearms", N_("the forearms"), _both("forearm"), _both("forearm")),
    Region("wrists-hands", N_("the wrists and hands"), _both("wrist-hand"), _both("wrist-hand")),
    Region("hips", N_("the hips"), _both("hip"), _both("hip")),
    Region("buttocks", N_("the buttocks"), back=_both("buttock")),
    Region("thighs", N_("the thighs"), _both("thigh"), _both("thigh")),
    Region("knees", N_("the knees"), _both("knee"), _both("knee")),
    Region("shins", N_("the shins"), front=_both("lower-leg")),
    Region("calves", N_("the calves"), back=_both("lower-leg")),
    Region("ankles-feet", N_("the ankles and feet"), _both("ankle-foot"), _both("ankle-foot")),
)}


# Limb highlights: from joint, to joint, where the mark starts and ends between them (0 to
# 1), and the limb's width there.
_SEGMENTS: dict[str, tuple[Point, Point, float, float, float]] = {
    "upper-arm": (SHOULDER, ELBOW, 0.3, 0.8, UPPER_ARM_W),
    "forearm": (ELBOW, WRIST, 0.25, 0.75, FOREARM_W),
    "thigh": (HIP, KNEE, 0.25, 0.75, THIGH_W),
    "lower-leg": (KNEE, ANKLE, 0.25, 0.75, SHIN_W),
}


def _shape(name: str, colour: str) -> str:
    """Draw one named highlight shape of the left-side geometry, mirrored for ':R'."""
    base, _, side = name.partition(":")
    m = _mirror if side == "R" else (lambda p: p)
    w = 0.82  # a marked limb segment is a little narrower than the limb
    if base == "head":
        return _dot((50, 22), 14, colour)
    if base == "neck":
        return _capsule((50, 38), (50, 48), 10, colour)
    if base == "chest":
        return _oval((50, 70), 17, 10, colour)
    if base == "upper-back":
        return _oval((50, 72), 19, 13, colour)
    if base == "lower-back":
        return _oval((50, 111), 15, 9, colour)
    if base == "shoulder":
        return _dot(m((31, 58)), 8, colour)
    if base in _SEGMENTS:  # a stretch of a limb, between two joints
        start, end, lo, hi, width = _SEGMENTS[base]
        return _capsule(m(_along(start, end, lo)), m(_along(start, end, hi)), width * w,
                        colour)
    if base == "elbow":
        return _dot(m(ELBOW), 6.5, colour)
    if base == "wrist-hand":
        return _capsule(m(WRIST), m(HAND), 9, colour)
    if base == "hip":
        return _dot(m((36, 124)), 7, colour)
    if base == "buttock":
        return _oval(m((42, 129)), 8, 7, colour)
    if base == "knee":
        return _dot(m(KNEE), 7.5, colour)
    if base == "ankle-foot":
        return _capsule(m(ANKLE), m((ANKLE[0] - 2, ANKLE[1] + 6)), 10, colour)
    raise KeyError(name)


def _limbs() -> list[tuple[Point, Point, float]]:
    left = [(SHOULDER, ELBOW, UPPER_ARM_W), (ELBOW, WRIST, FOREARM_W), (WRIST, HAND, 9.0),
            (HIP, KNEE, THIGH_W), (KNEE, ANKLE, SHIN_W), (ANKLE, (37.0, 234.0), 9.0)]
    right = [(_mirror(a), _mirror(b), w) for a, b, w in left]
    return [((50.0, 38.0), (50.0, 48.0), 12.0), *left, *right]


def _figure() -> str:
    """Draw the plain figure: every limb and the torso outlined, then filled."""
    outline = [_capsule(a, b, w + 2 * BORDER, OUTLINE) for a, b, w in _limbs()]
    outline.append(_dot((50, 22), 15 + BORDER, OUTLINE))
    outline.append(f'<path d="{TORSO}" fill="{OUTLINE}" stroke="{OUTLINE}" '
                   f'stroke-width="{2 * BORDER:g}" stroke-linejoin="round"/>')
    fill = [_capsule(a, b, w, FILL) for a, b, w in _limbs()]
    fill.append(_dot((50, 22), 15, FILL))
    fill.append(f'<path d="{TORSO}" fill="{FILL}"/>')
    return "".join(outline + fill)


def known_regions() -> list[str]:
    """Return the region ids a condition may name, head to toe."""
    return list(REGIONS)


ENGLISH = English()


@cache
def _advances() -> tuple[dict[int, float], float]:
    """Return the regular face's advance widths in em by code point, and a wide default."""
    from fontTools.ttLib import TTFont

    path = next(p for p, weight, style in font_files() if (weight, style) == (400, "normal"))
    with TTFont(str(path), lazy=True) as font:
        per_em = float(font["head"].unitsPerEm)
        metrics = font["hmtx"]
        widths = {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    return widths, max(widths.get(ord("m"), 0.8), 0.8)


def label_em(text: str) -> float:
    """Return how wide ``text`` prints in the brochure font, in em (from its own metrics)."""
    widths, wide = _advances()
    return sum(widths.get(ord(ch), wide) for ch in text)


def _room(front: float, back: float, font: float) -> tuple[float, float, float]:
    """Return the space left of the figures, between them and right of them (drawing units).

    A label is centred under its figure; one wider than the figure ("Delante" at the
    tri-fold's size) widens the drawing so that it is neither cut at the edge nor run
    into the other label, which stays half an em away.
    """
    left = max(0.0, (front - FIGURE_W) / 2)
    right = max(0.0, (back - FIGURE_W) / 2)
    gap = max(GAP, (front + back) / 2 - FIGURE_W + font / 2)
    return left, gap, right


def alt_text(regions: list[str], ui: Speaker = ENGLISH) -> str:
    """Return the body map's alt text in ``ui``'s language, naming its regions in order.

    The whole sentence is one message, so each language puts the list where it belongs.
    """
    names = [ui.gettext(REGIONS[r].words) for r in dict.fromkeys(regions) if r in REGIONS]
    if not names:
        return ui.gettext("Outline of a body, seen from the front and the back.")
    return ui.gettext("Outline of a body, seen from the front and the back, with {regions} "
                      "marked.").format(regions=ui.listing(names))


def body_map(regions: list[str], *, brand: str = "#1d5f8a", height_mm: float = 60.0,
             label_pt: float = 10.0, ui: Speaker = ENGLISH) -> Markup:
    """Return the inline SVG body map (front and back) with ``regions`` in ``brand``.

    The two views are labelled "Front" and "Back" (in ``ui``'s language) at ``label_pt``
    as printed (0: none), whatever the size of the map.
    """
    labels = {"front": ui.pgettext("body map view", "Front"),
              "back": ui.pgettext("body map view", "Back")}
    chosen = [REGIONS[r] for r in dict.fromkeys(regions) if r in REGIONS]
    label_mm = label_pt * 25.4 / 72
    # The labels scale with the drawing: pick the size in drawing units that prints at
    # label_pt once the whole drawing (figure plus labels) is height_mm tall.
    font = label_mm * FIGURE_H / (height_mm - 1.4 * label_mm) if label_pt else 0.0
    left, gap, right = _room(label_em(labels["front"]) * font, label_em(labels["back"]) * font,
                             font)
    width, height = left + 2 * FIGURE_W + gap + right, FIGURE_H + 1.4 * font
    figure = _figure()
    views = []
    for index, view in enumerate(("front", "back")):
        shapes = dict.fromkeys(s for r in chosen for s in getattr(r, view))
        marks = "".join(_shape(s, brand) for s in shapes)
        dx = left + index * (FIGURE_W + gap)
        views.append(f'<g transform="translate({dx:g} 0)">{figure}{marks}</g>')
        if label_pt:
            views.append(
                f'<text x="{dx + FIGURE_W / 2:g}" y="{FIGURE_H + 1.15 * font:.2f}" '
                f'text-anchor="middle" font-family="Atkinson Hyperlegible" '
                f'font-size="{font:.2f}" fill="#46535f">{escape(labels[view])}</text>')
    width_mm = height_mm * width / height
    title = alt_text(regions, ui)
    return Markup(
        f'<svg class="body-map" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:g} {height:.2f}" width="{width_mm:.1f}mm" '
        f'height="{height_mm:g}mm" aria-label={quoteattr(title)}><title>{escape(title)}</title>'
        f'{"".join(views)}</svg>')
