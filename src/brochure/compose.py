"""Compose stage: a validated condition plus its topics and the clinic, into one HTML string."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from brochure import bodymap, charts, condense, markup, provenance
from brochure.assets import FONT_FAMILY, font_face_css, style_path, template_dirs
from brochure.errors import TemplateError, UsageError, display_path
from brochure.layouts import BLEED, Layout
from brochure.load import Loaded, Loc
from brochure.models import Block, Clinic, Location, Source
from brochure.project import ConditionItem, Project, check_topic_ids
from brochure.qr import qr_svg
from brochure.theme import theme_css
from brochure.validate import suggest


@dataclass(frozen=True)
class Part:
    """A titled part of a brochure: one of the condition's sections, or an included topic."""

    id: str
    kind: str  # "section" or "topic"
    title: str
    blocks: list[Block]
    sources: dict[str, Source]
    origin: Loaded  # the file the part comes from, for findings that name a line
    loc: Loc  # where the part's own keys sit in that file
    key_message: str | None = None


@dataclass(frozen=True)
class Brochure:
    """Everything one template needs to draw one brochure."""

    id: str
    title: str
    subtitle: str | None
    key_message: str
    keywords: list[str]
    clinic: Clinic
    parts: list[Part]
    sources: list[Source]
    reviewed: dt.date
    language: str
    paper: str
    layout: Layout
    location: Location
    origin: Loaded
    topic_ids: list[str] = field(default_factory=list)
    print_shop: bool = False  # bleed and crop marks for a print shop, not the office printer
    body_regions: list[str] = field(default_factory=list)  # marked on the cover's body map
    pad_pages: int = 0  # notes pages before the back cover, to fill a booklet's last sheet
    card_heights: dict[str, float] | None = None  # measured card heights in mm (tri-fold)


def assemble(project: Project, item: ConditionItem, *, layout: Layout, paper: str,
             topics: list[str] | None = None, location: str | None = None,
             print_shop: bool = False) -> Brochure:
    """Gather the parts of one brochure in reading order."""
    cond = item.model
    try:
        place = project.clinic.location(location)
    except KeyError:
        known = [loc.id for loc in project.clinic.locations]
        raise UsageError(f"unknown location '{location}'{suggest(str(location), set(known))}; "
                         f"use one of: {', '.join(known)}") from None
    topic_ids = list(cond.topics) if topics is None else list(topics)
    if topics is not None:
        problems = check_topic_ids(None, topic_ids, set(project.topics), ("topics",))
        if problems:
            raise UsageError(problems[0].message.replace("every brochure", "--topics"))
    parts = [Part(f"{item.id}-{i}", "section", s.title, list(s.blocks),
                  {src.id: src for src in cond.sources}, item.source, ("sections", i))
             for i, s in enumerate(cond.sections)]
    dates = [cond.reviewed.on]
    sources: dict[tuple[str, str], Source] = {(s.id, s.title): s for s in cond.sources}
    for topic_id in topic_ids:
        topic = project.topics[topic_id]
        t = topic.model
        parts.append(Part(topic_id, "topic", t.title, list(t.blocks),
                          {src.id: src for src in t.sources}, topic.source, (), t.key_message))
        dates.append(t.reviewed.on)
        sources.update({(s.id, s.title): s for s in t.sources})
    layout.paper_spec(paper)
    return Brochure(
        id=item.id, title=cond.title, subtitle=cond.subtitle, key_message=cond.key_message,
        keywords=list(cond.keywords) or [cond.title, "patient handout"],
        clinic=project.clinic, parts=parts,
        sources=list(sources.values()), reviewed=max(dates),
        language=project.clinic.defaults.language, paper=paper, layout=layout,
        location=place, origin=item.source, topic_ids=topic_ids, print_shop=print_shop,
        body_regions=list(cond.body_regions),
    )


@cache
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markup.to_html
    env.filters["md_inline"] = markup.to_inline_html
    env.filters["plain"] = markup.to_plain
    env.globals["chart"] = charts.range_chart
    env.globals["figure_value"] = charts.figure_value
    env.globals["figure_sentence"] = charts.figure_sentence
    env.globals["source_titles"] = charts.source_titles
    env.globals["qr"] = qr_svg
    env.globals["body_map"] = bodymap.body_map
    env.globals["digest"] = condense.digest
    env.globals["room_left"] = condense.room_left
    env.globals["flap_notes_mm"] = condense.FLAP_NOTES_MM
    env.globals["guidance_titles"] = provenance.guidance_titles
    env.globals["cite"] = provenance.cite
    return env


def environment(project_root: Path) -> jinja2.Environment:
    """Return the Jinja2 environment for a project (autoescape on, undefined is an error)."""
    return _environment(tuple(template_dirs(project_root)))


def stylesheet_text(project_root: Path, brochure: Brochure) -> str:
    """Return every CSS rule the brochure uses, in cascade order."""
    names = ["base.css", brochure.layout.stylesheet]
    css = [font_face_css(), _sheet_css(brochure)]
    css += [style_path(project_root, name).read_text("utf-8") for name in names]
    if brochure.print_shop:
        # The bleed is painted past the trim edge and cut off; WeasyPrint draws the crop
        # marks in it and writes the TrimBox and BleedBox.
        bleed = BLEED[brochure.paper]
        css.append(f"@page {{ bleed: {bleed}; marks: crop; }} :root {{ --bleed: {bleed}; }}")
    # Last, so the clinic's colours re-colour every stylesheet through custom properties.
    css.append(theme_css(brochure.clinic))
    return "\n".join(css)


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
    try:
        template = env.get_template(brochure.layout.template)
        styles = stylesheet_text(project_root, brochure) if inline_styles else ""
        return template.render(
            b=brochure, clinic=brochure.clinic, brand=brochure.clinic.colours.primary,
            font_family=FONT_FAMILY, styles=Markup(styles),
        )
    except jinja2.TemplateNotFound as exc:
        raise UsageError(f"template '{exc.name}' not found") from None
    except jinja2.TemplateSyntaxError as exc:
        name = display_path(Path(exc.filename)) if exc.filename else exc.name
        first = (exc.message or "invalid syntax").split(". ")[0].rstrip(".")
        raise TemplateError(f"{name}:{exc.lineno}: template syntax error: {first}") from None
    except jinja2.UndefinedError as exc:
        where = _template_line(exc) or brochure.layout.template
        raise TemplateError(f"{where}: the template uses a value that does not exist "
                            f"({_undefined(exc.message or '')}); check its spelling") from None


def _template_line(exc: BaseException) -> str | None:
    """Return 'file:line' of the innermost template frame of a Jinja2 error."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = f"{display_path(Path(name))}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _undefined(message: str) -> str:
    match = re.search(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '(\w+)'", message)
    if match:
        return f"a {match[1].lower()} has no '{match[2]}'"
    return message
