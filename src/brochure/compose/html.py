"""Compose stage: a gathered brochure and its templates, into one HTML string and its styles."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from brochure.compose import charts, condense, provenance
from brochure.compose.brochure import Brochure
from brochure.compose.cssurls import absolute_urls, find_import
from brochure.compose.qr import qr_svg
from brochure.compose.templating import reported, sandboxed
from brochure.content import bodymap, markup
from brochure.content.assets import (
    font_face_css,
    package_styles_dir,
    style_path,
    template_dirs,
)
from brochure.content.layouts import BLEED
from brochure.content.theme import theme_css
from brochure.errors import (
    TemplateError,
    display_path,
    shorten,
)
from brochure.fonts import FONT_FAMILY
from brochure.safefile import Refused, read_inside


@cache
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = sandboxed(dirs, autoescape=True)
    env.filters["md"] = _md
    env.filters["md_inline"] = _md_inline
    env.filters["plain"] = markup.to_plain
    env.filters["fill"] = _fill
    env.globals["chart"] = charts.range_chart
    env.globals["figure_value"] = charts.figure_value
    env.globals["figure_sentence"] = charts.figure_sentence
    env.globals["source_titles"] = charts.source_titles
    env.globals["qr"] = qr_svg
    env.globals["body_map"] = _body_map
    env.globals["digest"] = condense.digest
    env.globals["room_left"] = condense.room_left
    env.globals["flap_notes_mm"] = condense.FLAP_NOTES_MM
    env.globals["guidance_titles"] = provenance.guidance_titles
    env.globals["cite"] = provenance.cite
    return env


def _quotes(context: jinja2.runtime.Context) -> tuple[str, str, str, str] | None:
    """Return the quotation marks of a translated brochure (None keeps the text's own)."""
    b = context.get("b")
    if not isinstance(b, Brochure) or b.language == b.clinic.defaults.language:
        return None
    return b.ui.quotes


def _fill(message: str, **values: object) -> Markup:
    """Put values into a translated message: the values' own markup stays, text is escaped.

    ``{% set who %}<strong>{{ name }}</strong>{% endset %}`` then
    ``_("Prepared for {patient} ...") | fill(patient=who)`` keeps the bold name inside a
    sentence each language words its own way. Only plain ``{name}`` fields are filled:
    ``str.format`` would let a template reach attributes past the sandbox.
    """
    def put(field: re.Match[str]) -> str:
        return str(escape(values[field[1]])) if field[1] in values else field[0]

    return Markup(_FIELD.sub(put, str(escape(message))))


_FIELD = re.compile(r"\{(\w+)\}")


@jinja2.pass_context
def _body_map(context: jinja2.runtime.Context, regions: list[str], *, brand: str = "#1d5f8a",
              height_mm: float = 60.0, label_pt: float = 10.0) -> Markup:
    """Draw the body map with its labels and alt text in the brochure's language."""
    b = context.get("b")
    ui = b.ui if isinstance(b, Brochure) else bodymap.ENGLISH
    return bodymap.body_map(regions, brand=brand, height_mm=height_mm, label_pt=label_pt,
                            ui=ui)


@jinja2.pass_context
def _md(context: jinja2.runtime.Context, text: str) -> Markup:
    return markup.to_html(text, _quotes(context))


@jinja2.pass_context
def _md_inline(context: jinja2.runtime.Context, text: str) -> Markup:
    return markup.to_inline_html(text, _quotes(context))


def environment(project_root: Path) -> jinja2.Environment:
    """Return the Jinja2 environment for a project (autoescape on, undefined is an error)."""
    return _environment(tuple(template_dirs(project_root)))


def stylesheet_text(project_root: Path, brochure: Brochure) -> str:
    """Return every CSS rule the brochure uses, in cascade order."""
    css = [font_face_css(), _sheet_css(brochure),
           read_stylesheet(project_root, style_path(project_root, "base.css")),
           # Between the shared rules and the layout's own: the language words base.css's
           # page numbers, and a layout without page numbers (poster, tri-fold) still
           # turns them off after it.
           language_css(brochure),
           read_stylesheet(project_root, style_path(project_root, brochure.layout.stylesheet))]
    if brochure.print_shop:
        # The bleed is painted past the trim edge and cut off. The slug, the crop and fold
        # marks and the exact boxes are added after rendering (prepress.py).
        bleed = BLEED[brochure.paper]
        css.append(f"@page {{ bleed: {bleed}; marks: none; }} :root {{ --bleed: {bleed}; }}")
    # Last, so the clinic's colours re-colour every stylesheet through custom properties.
    css.append(theme_css(brochure.clinic))
    text = "\n".join(css)
    if brochure.print_shop:
        from brochure.content.printcolour import Recolour, profile_css, profile_path

        # PDF/X-4 in CMYK: every colour as device-cmyk(), the press profile as the
        # output intent.
        text = Recolour(brochure.clinic, project_root).stylesheet(text)
        text += "\n" + profile_css(profile_path(brochure.clinic, project_root))
    return text


MAX_STYLESHEET_BYTES = 2_000_000


def read_stylesheet(project_root: Path, path: Path) -> str:
    """Read one stylesheet from the project's or the package's styles/ folder, safely.

    Its relative URLs are made absolute against the sheet's own place, as a browser does.
    """
    try:
        raw = read_inside(path, (project_root / "styles", package_styles_dir()),
                          limit=MAX_STYLESHEET_BYTES)
        text = raw.decode("utf-8-sig")
    except Refused as exc:
        raise TemplateError(f"{display_path(path)}:1: cannot use the stylesheet: "
                            f"{exc.reason}") from None
    except UnicodeDecodeError:
        raise TemplateError(f"{display_path(path)}:1: the stylesheet is not UTF-8 text; "
                            "save it as UTF-8") from None
    if (found := find_import(text)) is not None:
        line, column, target = found
        named = f" of '{shorten(target, 60)}'" if target else ""
        raise TemplateError(
            f"{display_path(path)}:{line}:{column}: @import is not supported: a brochure's "
            f"stylesheets are joined into one, where it cannot stand; copy the rules{named} "
            "into this file (or into styles/base.css, which every layout uses)")
    return absolute_urls(text, path)


def language_css(brochure: Brochure) -> str:
    """Return the rules that follow the language: page numbers, quotes, hyphenation.

    Translations hyphenate with Pyphen's dictionary for their language (WeasyPrint looks
    it up from the ``lang`` attribute): Spanish and French words run longer than English
    ones and leave ragged lines in narrow panels otherwise. Large print never hyphenates.
    """
    css = brochure.ui.css()
    if brochure.language != brochure.clinic.defaults.language and \
            brochure.layout.id != "large-print" and _has_dictionary(brochure.language):
        # The hyphen must be one the brochure fonts have (WeasyPrint prints U+2010 by default).
        css += (f"\n:root:lang({brochure.language}) {{ hyphens: auto; "
                "hyphenate-character: \"-\"; }")
    return css


def _has_dictionary(language: str) -> bool:
    import pyphen

    return pyphen.language_fallback(language.replace("-", "_")) is not None


def _sheet_css(brochure: Brochure) -> str:
    """Return the page size, and the sheet as custom properties for fixed-size layouts."""
    size = brochure.layout.paper_spec(brochure.paper).css_size()
    width, height = size.split()
    return (f"@page {{ size: {size}; }}\n"
            f":root {{ --sheet-width: {width}; --sheet-height: {height}; --bleed: 0mm; }}")


def render_html(project_root: Path, brochure: Brochure, *, inline_styles: bool = True) -> str:
    """Render the brochure's template to an HTML document.

    With ``inline_styles`` (the default) the stylesheets sit in the page's <style>, so the
    file is complete on its own; a build leaves them out and passes them to the renderer
    already parsed (see ``stylesheet_text``).
    """
    env = environment(project_root)
    with reported(brochure.layout.template, "b, clinic, brand, font_family, styles, ui, _"):
        template = env.get_template(brochure.layout.template)
        styles = stylesheet_text(project_root, brochure) if inline_styles else ""
        page = template.render(
            b=brochure, clinic=brochure.clinic, brand=brochure.clinic.colours.primary,
            font_family=FONT_FAMILY, styles=Markup(styles), ui=brochure.ui,
            _=brochure.ui.gettext,
        )
    if brochure.print_shop:
        from brochure.content.printcolour import Recolour

        page = Recolour(brochure.clinic, project_root).html(page)  # the charts' SVG colours
    return page
