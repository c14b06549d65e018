"""The composed brochure: a condition, its topics and the clinic, gathered in reading order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from brochure.compose.interface import Interface, interface
from brochure.content.layouts import Layout
from brochure.content.load import Loaded, Loc
from brochure.content.models import Block, Clinic, Location, Source
from brochure.content.project import ConditionItem, Project, check_topic_ids
from brochure.content.translate import MissingTranslations, localized_clinic, pick_translations
from brochure.errors import UsageError, suggest


@dataclass(frozen=True)
class Personal:
    """The personal part of one copy, as the handout template prints it."""

    patient: str
    by: str  # "Dana Lee, physiotherapist", or the clinic's name
    author: str  # whose note it is: "Dana Lee", or "your practitioner"
    date: str  # "26 November 2026"
    note: str | None = None


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
    lang: str | None = None  # set when the part is in another language than the brochure


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
    personal: Personal | None = None  # a copy made for one patient (brochure personalise)
    # The language of the cover (title, key message) when the condition's file is not
    # translated and a fallback build prints it in the default language.
    text_lang: str | None = None
    fallback: list[Path] = field(default_factory=list)  # untranslated files, when allowed
    clinic_lang: str | None = None  # the clinic's texts' language, when not translated
    body_regions: list[str] = field(default_factory=list)  # marked on the cover's body map
    pad_pages: int = 0  # notes pages before the back cover, to fill a booklet's last sheet
    card_heights: dict[str, float] | None = None  # measured card heights in mm (tri-fold)

    @property
    def ui(self) -> Interface:
        """Return the interface text and formats of the brochure's language."""
        return interface(self.language)


def assemble(project: Project, item: ConditionItem, *, layout: Layout, paper: str,
             topics: list[str] | None = None, location: str | None = None,
             print_shop: bool = False, language: str | None = None,
             allow_fallback: bool = False) -> Brochure:
    """Gather the parts of one brochure in reading order, in ``language``.

    A language other than the default reads the parallel translation files; when one is
    missing the build fails naming it, unless ``allow_fallback``, which prints that part
    in the default language and marks it with its own ``lang``.
    """
    lang = language or project.language
    clinic = localized_clinic(project, lang)
    topic_ids = list(item.model.topics) if topics is None else list(topics)
    if topics is not None:
        problems = check_topic_ids(None, topic_ids, set(project.topics), ("topics",))
        if problems:
            raise UsageError(problems[0].message.replace("every brochure", "--topics"))
    chosen = pick_translations(project, item.id, topic_ids, lang)
    missing = chosen.missing
    if missing and not allow_fallback:
        raise MissingTranslations(lang, missing)
    cond_item = chosen.condition or item
    cond = cond_item.model
    other = None if chosen.condition is not None or lang == project.language \
        else project.language
    try:
        place = clinic.location(location)
    except KeyError:
        known = [loc.id for loc in project.clinic.locations]
        raise UsageError(f"unknown location '{location}'{suggest(str(location), set(known))}; "
                         f"use one of: {', '.join(known)}") from None
    parts = [Part(f"{item.id}-{i}", "section", s.title, list(s.blocks),
                  {src.id: src for src in cond.sources}, cond_item.source, ("sections", i),
                  lang=other)
             for i, s in enumerate(cond.sections)]
    dates = [cond.reviewed.on]
    sources: dict[tuple[str, str], Source] = {(s.id, s.title): s for s in cond.sources}
    for topic_id in topic_ids:
        translated = chosen.topics.get(topic_id)
        topic = translated or project.topics[topic_id]
        t = topic.model
        parts.append(Part(topic_id, "topic", t.title, list(t.blocks),
                          {src.id: src for src in t.sources}, topic.source, (), t.key_message,
                          lang=None if translated is not None or lang == project.language
                          else project.language))
        dates.append(t.reviewed.on)
        sources.update({(s.id, s.title): s for s in t.sources})
    layout.paper_spec(paper)
    return Brochure(
        id=item.id, title=cond.title, subtitle=cond.subtitle, key_message=cond.key_message,
        keywords=list(cond.keywords) or [cond.title, interface(lang).gettext("patient handout")],
        clinic=clinic, parts=parts,
        sources=list(sources.values()), reviewed=max(dates),
        language=lang, paper=paper, layout=layout,
        location=place, origin=cond_item.source, topic_ids=topic_ids, print_shop=print_shop,
        text_lang=other, fallback=missing, body_regions=list(item.model.body_regions),
        clinic_lang=None if lang == project.language or
        project.translation(lang).clinic is not None else project.language,
    )


def find_line(b: Brochure, needle: str) -> tuple[str, str] | None:
    """Return ('file:line:column', the line) of the first content line holding ``needle``."""
    from brochure.content.load import MAX_FILE_BYTES
    from brochure.safefile import Refused, read_inside

    files = {id(loaded): loaded for loaded in [b.origin, *(p.origin for p in b.parts)]}
    for loaded in files.values():
        try:
            raw = read_inside(loaded.file, (loaded.file.parent,), limit=MAX_FILE_BYTES)
        except Refused:
            continue
        lines = raw.decode("utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            if (column := line.find(needle)) >= 0:
                return f"{loaded.shown}:{number}:{column + 1}", line
    return None


def find_text(b: Brochure, text: str) -> str | None:
    """Return 'file:line:column' of the content line that holds ``text``'s longest word."""
    word = max(text.split(), key=len, default="")
    found = find_line(b, word[:60]) if word else None
    return found[0] if found is not None else None
