"""Where templates, stylesheets and fonts come from.

A project's own ``templates/`` and ``styles/`` override the package's files one by one
(like mkdocs' custom_dir). The package's stylesheets live in the repository's ``styles/``
folder and are copied into the wheel as ``brochure/styles``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from brochure.errors import UsageError
from brochure.fonts import FONT_FAMILY, font_files

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the brochure package
PROFILE_DIR = Path(__file__).resolve().parent / "data" / "icc"  # the built-in CMYK profile


def _shipped(installed: str, checkout: str) -> Path:
    """Return a folder the package ships: inside the installed wheel, else in the checkout."""
    folder = PACKAGE_DIR / installed
    return folder if folder.is_dir() else PACKAGE_DIR.parents[1] / checkout


@cache
def package_styles_dir() -> Path:
    """Return the package's default stylesheets (in the wheel, or the source checkout)."""
    return _shipped("styles", "styles")


@cache
def starter_handouts_dir() -> Path:
    """Return the starter content copied by ``brochure init`` (wheel, or source checkout)."""
    return _shipped("starter/handouts", "handouts")


@cache
def starter_assets_dir() -> Path:
    """Return the starter project's assets (the example logo), in the wheel or the checkout."""
    return _shipped("starter/assets", "assets")


def package_templates_dir() -> Path:
    """Return the package's templates folder."""
    return PACKAGE_DIR / "templates"


def template_dirs(project: Path) -> list[Path]:
    """Return the template search path: the project's own folder first.

    Absolute, so that an environment kept for a search path never serves the templates of
    a project that was at the same relative path before the working folder changed.
    """
    own = Path(os.path.abspath(project)) / "templates"  # noqa: PTH100 (keeps links)
    return [own, package_templates_dir()] if own.is_dir() else [package_templates_dir()]


def style_path(project: Path, name: str) -> Path:
    """Return the stylesheet ``name``, from the project when it has its own copy."""
    for folder in (project / "styles", package_styles_dir()):
        candidate = folder / name
        if os.path.lexists(candidate):  # a link or a FIFO is refused when read, not skipped
            return candidate
    raise UsageError(f"stylesheet '{name}' not found in {project / 'styles'} or the package")


@cache
def font_face_css() -> str:
    """Return @font-face rules that load the font from its PyPI package, never the system."""
    rules = []
    for path, weight, style in font_files():
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def template_sources(project: Path) -> list[tuple[str, str]]:
    """Return (file, 'project' or 'package') for every template and stylesheet, by name."""
    found: dict[str, str] = {}
    for kind, own, default in (("templates", project / "templates", package_templates_dir()),
                               ("styles", project / "styles", package_styles_dir())):
        names = {p.name for p in default.glob("*") if p.is_file()}
        if own.is_dir():
            names |= {p.name for p in own.glob("*") if p.is_file()}
        for name in sorted(names):
            origin = "project" if (own / name).is_file() else "package"
            found[f"{kind}/{name}"] = origin
    return sorted(found.items())


def render_roots(root: Path) -> tuple[Path, ...]:
    """Return the folders the renderer may read files from."""
    return (root / "assets", root / "styles", package_styles_dir(), package_templates_dir(),
            PROFILE_DIR, *{p.parent for p, _, _ in font_files()})
