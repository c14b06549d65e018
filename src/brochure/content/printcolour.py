"""Print-shop colour: the brand colours in CMYK for the press profile, and CMYK stylesheets.

The office PDF is sRGB. The print-shop PDF is PDF/X-4 in CMYK: every colour is converted
once, through the press profile (LittleCMS, via Pillow's ImageCms), unless clinic.yaml
gives the printer's exact values. Text and greys print on the black plate only, so small
type stays sharp when the plates are a little out of register.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from brochure.content.assets import PROFILE_DIR
from brochure.content.colour import parse_hex
from brochure.content.load import Loaded
from brochure.content.models import Clinic
from brochure.content.theme import ACCENT_TINT_WHITE, palette
from brochure.errors import Problem

Cmyk = tuple[float, float, float, float]  # 0..1 each
DEFAULT_PROFILE = PROFILE_DIR / "default_cmyk.icc"
# A colour whose channels differ by no more than this is a grey: it prints on K alone.
GREY_SPREAD = 0.1
TEXT_K: Cmyk = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Converted:
    """One brand colour: its sRGB value, its CMYK value and where the CMYK came from."""

    key: str  # the clinic.yaml key (or the derived colour's name)
    hex: str
    cmyk: Cmyk
    how: str  # "profile", "clinic.yaml", "black plate only", ...


def profile_path(clinic: Clinic, root: Path) -> Path:
    """Return the CMYK profile the print-shop files use: the clinic's, or the package's."""
    if clinic.print_shop.profile is None:
        return DEFAULT_PROFILE
    return root / clinic.print_shop.profile


@cache
def _profile(path: Path) -> Any:
    from PIL import ImageCms

    return ImageCms.getOpenProfile(str(path))


def profile_name(path: Path) -> str:
    """Return the profile's own description, e.g. 'Artifex CMYK SWOP Profile'."""
    from PIL import ImageCms

    return str(ImageCms.getProfileDescription(_profile(path))).strip() or path.name


@cache
def _transforms(path: Path) -> tuple[Any, Any]:
    from PIL import ImageCms

    press, srgb, lab = _profile(path), ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
    flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
    to_cmyk = ImageCms.buildTransform(srgb, press, "RGB", "CMYK",
                                      ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=flags)
    k_to_lab = ImageCms.buildTransform(press, lab, "CMYK", "LAB",
                                       ImageCms.Intent.RELATIVE_COLORIMETRIC)
    return to_cmyk, k_to_lab


@cache
def _k_ramp(path: Path) -> tuple[int, ...]:
    """Return the L* (0..255) that K alone prints at 0..100 %, on this profile."""
    _, k_to_lab = _transforms(path)
    return tuple(_apply(k_to_lab, "CMYK", (0, 0, 0, round(k * 2.55)))[0] for k in range(101))


def _apply(transform: Any, mode: str, value: tuple[int, ...]) -> tuple[int, ...]:
    """Return one colour through a LittleCMS transform."""
    from PIL import Image, ImageCms

    pixel: Any = ImageCms.applyTransform(Image.new(mode, (1, 1), value), transform)
    return tuple(int(v) for v in pixel.getpixel((0, 0)))


def _round(cmyk: Cmyk) -> Cmyk:
    # Whole percents: what a printer reads and writes.
    return (round(cmyk[0], 2), round(cmyk[1], 2), round(cmyk[2], 2), round(cmyk[3], 2))


def convert(rgb: tuple[float, float, float], path: Path, *, greys: bool = True) -> Cmyk:
    """Return the CMYK of an sRGB colour on the profile; greys go on the black plate only.

    Brand colours (``greys=False``) always go through the profile, however pale.
    """
    if greys and max(rgb) - min(rgb) <= GREY_SPREAD:
        return grey_k(rgb, path)
    to_cmyk, _ = _transforms(path)
    c, m, y, k = _apply(to_cmyk, "RGB", tuple(round(v * 255) for v in rgb))
    return _round((c / 255, m / 255, y / 255, k / 255))


@cache
def _srgb_to_lab() -> Any:
    from PIL import ImageCms

    lab = ImageCms.createProfile("LAB")
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), lab, "RGB", "LAB")


def grey_k(rgb: tuple[float, float, float], path: Path) -> Cmyk:
    """Return the K-only tint that prints as light as the grey ``rgb`` on the profile."""
    lightness = _apply(_srgb_to_lab(), "RGB", tuple(round(v * 255) for v in rgb))[0]
    ramp = _k_ramp(path)
    k = min(range(101), key=lambda i: abs(ramp[i] - lightness))
    return (0.0, 0.0, 0.0, k / 100)


def brand_colours(clinic: Clinic, root: Path) -> list[Converted]:
    """Return the clinic's colours in CMYK: the printer's values, or converted once."""
    path = profile_path(clinic, root)
    given = clinic.print_shop.cmyk
    out: list[Converted] = []
    for key in ("primary", "accent", "tint"):
        hex_value = getattr(clinic.colours, key)
        exact = getattr(given, key)
        if exact is not None:
            c, m, y, k = (v / 100 for v in exact)
            cmyk = _round((c, m, y, k))
            out.append(Converted(key, hex_value, cmyk, "clinic.yaml"))
        else:
            cmyk = convert(parse_hex(hex_value), path, greys=False)
            out.append(Converted(key, hex_value, cmyk, profile_name(path)))
    out.append(Converted("text", clinic.colours.text, TEXT_K, "100% K: text on one plate"))
    c, m, y, k = (v * (1 - ACCENT_TINT_WHITE) for v in out[1].cmyk)
    out.append(Converted("accent tint", palette(clinic)["--accent-tint"], _round((c, m, y, k)),
                         f"{1 - ACCENT_TINT_WHITE:.0%} of accent"))
    return out


def css_cmyk(cmyk: Cmyk, alpha: float = 1.0) -> str:
    """Return the CSS ``device-cmyk()`` of a colour."""
    values = " ".join(f"{v:g}" for v in cmyk)
    return f"device-cmyk({values})" if alpha >= 1 else f"device-cmyk({values} / {alpha:g})"


def percent(cmyk: Cmyk) -> str:
    """Return the colour as a printer writes it: 'C 99 M 67 Y 26 K 8'."""
    return " ".join(f"{n} {round(v * 100):d}" for n, v in zip("CMYK", cmyk, strict=True))


class Recolour:
    """Rewrites sRGB colours in stylesheets and inline SVG as CMYK, for the print shop."""

    def __init__(self, clinic: Clinic, root: Path) -> None:
        self.path = profile_path(clinic, root)
        brand = {c.key: c for c in brand_colours(clinic, root)}

        roles = palette(clinic)
        # The clinic's own colours by sRGB value; text is first so it wins a tie.
        self.known: dict[str, Cmyk] = {roles["--text"].lower(): TEXT_K}
        for role, key in (("--brand", "primary"), ("--accent", "accent"),
                          ("--brand-tint", "tint"), ("--accent-tint", "accent tint")):
            self.known.setdefault(roles[role].lower(), brand[key].cmyk)

    def colour(self, rgb: tuple[float, float, float], alpha: float = 1.0) -> str:
        """Return the device-cmyk() for an sRGB colour."""
        hex_value = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
        cmyk = self.known.get(hex_value) or convert(rgb, self.path)
        return css_cmyk(cmyk, alpha)

    def _token(self, token: Any) -> str | None:
        from tinycss2.color5 import parse_color

        if token.type not in ("hash", "ident", "function"):
            return None
        parsed = parse_color(token)
        if parsed is None or isinstance(parsed, str) or parsed.space == "device-cmyk":
            return None
        *channels, alpha = parsed.to("srgb")
        if alpha == 0:
            return None  # transparent prints nothing
        r, g, b = (min(1.0, max(0.0, float(c))) for c in channels)
        return self.colour((r, g, b), float(alpha))

    def _tokens(self, tokens: list[Any]) -> list[Any]:
        import tinycss2

        out = []
        for token in tokens:
            new = self._token(token)
            if new is not None:
                out.extend(tinycss2.parse_component_value_list(new))
                continue
            if token.type in ("() block", "[] block", "{} block"):
                token.content = self._tokens(token.content)
            elif token.type == "function":
                token.arguments = self._tokens(token.arguments)
            out.append(token)
        return out

    def stylesheet(self, css: str) -> str:
        """Return the stylesheet with every sRGB colour value written in CMYK."""
        import tinycss2

        def rules(nodes: list[Any]) -> list[Any]:
            for node in nodes:
                if node.type == "qualified-rule":
                    node.content = self._tokens(node.content)
                elif node.type == "at-rule" and node.content is not None:
                    if node.lower_at_keyword in ("media", "supports", "layer", "document"):
                        node.content = rules(tinycss2.parse_rule_list(node.content))
                    else:  # @page and its margin boxes, @font-face: declarations only
                        node.content = self._tokens(node.content)
            return nodes

        return str(tinycss2.serialize(rules(tinycss2.parse_stylesheet(css))))

    def html(self, page: str) -> str:
        """Return the page with the colours of its inline SVG written in CMYK."""
        import tinycss2

        def attribute(match: re.Match[str]) -> str:
            if match[2].lower() == "currentcolor":
                # WeasyPrint paints an inline SVG's currentColor black: print it as text.
                return f'{match[1]}="{css_cmyk(TEXT_K)}"'
            value = tinycss2.parse_one_component_value(match[2])
            new = self._token(value) if not isinstance(value, tinycss2.ast.ParseError) else None
            return match[0] if new is None else f'{match[1]}="{new}"'

        def svg(match: re.Match[str]) -> str:
            # SVG fills black by default, which WeasyPrint writes in RGB: say it in K.
            if re.search(r"\sfill=", match[1]):
                return match[0]
            return f'<svg fill="{css_cmyk(TEXT_K)}"{match[1]}>'

        return _SVG.sub(svg, _PAINT.sub(attribute, page))


_SVG = re.compile(r"<svg\b([^>]*)>")
# Paint attributes of the SVG the templates draw (charts, icons, QR codes).
_PAINT = re.compile(r'\b(fill|stroke|stop-color|flood-color|color)="([^"<>]*)"')


def profile_css(path: Path) -> str:
    """Return the @color-profile rule that makes WeasyPrint write the output intent."""
    return (f"@color-profile device-cmyk {{ src: url({path.resolve().as_uri()}); "
            "components: cyan, magenta, yellow, black; }")


def profile_problems(clinic: Clinic, source: Loaded, root: Path) -> list[Problem]:
    """Check the clinic's press profile: inside the project, a CMYK ICC profile."""
    name = clinic.print_shop.profile
    if name is None:
        return []
    path = (root / name).resolve()
    where = ("print_shop", "profile")
    if (root / "assets").resolve() not in path.parents:
        return [source.problem(where, f"'{name}' is not in the project's assets/ folder; "
                                      "put the printer's profile there")]
    if not path.is_file():
        return [source.problem(where, f"'{name}' does not exist; put the printer's CMYK "
                                      "profile in the project's assets/ folder")]
    head = path.read_bytes()[:20]
    if len(head) < 20 or head[16:20] != b"CMYK":
        return [source.problem(where, f"'{name}' is not a CMYK ICC profile; ask the printer "
                                      "for the profile of their press (for example FOGRA39 "
                                      "or GRACoL)")]
    return []


def recolourer(clinic: Clinic, root: Path) -> Callable[[str], str]:
    """Return a function that writes a stylesheet's colours in CMYK (for tests and tools)."""
    return Recolour(clinic, root).stylesheet
