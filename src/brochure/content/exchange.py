"""Exchange translations with a translator as a gettext PO file, written and read with Babel.

``export`` writes every string a patient reads, one entry each: the context names the
file and the key path (``topics/intro.yaml:blocks[2].items[0]``), the reference its line,
the msgid the default-language text and the msgstr the current translation (marked fuzzy
when the default-language file changed since it was translated). ``import`` writes each
file's translation back as ``<id>.<lang>.yaml`` with the structure, ids and numbers of the
default-language file. A file whose translated text is what it already holds is not
touched, so exporting and importing an unchanged PO file changes nothing.
"""

from __future__ import annotations

import copy
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brochure.content.languages import babel_locale, display_name
from brochure.content.load import Loc, format_loc, load_yaml
from brochure.content.models import ClinicTranslation, Condition, Topic
from brochure.content.outfile import atomic_write, check_target
from brochure.content.project import Project, translation_record
from brochure.content.translate import (
    clinic_texts,
    current_hash,
    sources,
    translated_item,
    translation_path,
)
from brochure.content.validate import validate
from brochure.errors import ContentError, Problem, UsageError, display_path

# Keys whose values are ids, codes, links or numbers, never words to translate.
FIXED_KEYS = {"kind", "tone", "id", "source", "topics", "url", "on", "translation",
              "general_guidance", "low", "high", "file", "body_regions", "role"}
# A source keeps its title as published; who published it and the note translate.
FIXED_IN_SOURCES = {"title"}


def strings(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Yield (key path, text) for every translatable string of a content document."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in FIXED_KEYS:
                continue
            if len(loc) == 2 and loc[0] == "sources" and key in FIXED_IN_SOURCES:
                continue
            yield from strings(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from strings(value, (*loc, i))
    elif isinstance(data, str):
        yield loc, data


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        present = part in data if isinstance(data, dict) else (
            isinstance(data, list) and isinstance(part, int) and part < len(data))
        if not present:
            return None
        data = data[part]
    return data


def _set(data: Any, loc: Loc, value: str) -> None:
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value


def _clinic_data(project: Project) -> dict[str, Any]:
    """Return clinic.yaml's texts laid out as a clinic.<lang>.yaml holds them."""
    texts = clinic_texts(project.clinic)
    out: dict[str, Any] = {k: texts[k] for k in ("tagline", "disclaimer", "logo_alt")
                           if texts[k] is not None}
    out["locations"] = {i: {k: v for k, v in loc.items() if v}
                        for i, loc in texts["locations"].items() if loc["name"] or loc["hours"]}
    out["emergency_words"] = texts["emergency_words"]
    out["after_hours"] = texts["after_hours"]
    if "practitioners" in texts:
        out["practitioners"] = texts["practitioners"]
    return out


@dataclass(frozen=True)
class Document:
    """One default-language file as a translator sees it."""

    kind: str  # "clinic", "topics" or "conditions"
    id: str
    path: Path
    data: Any  # the default-language data, laid out as its translation file is
    lines: dict[Loc, int]

    @property
    def key(self) -> str:
        """Return the file as the PO contexts name it: 'topics/intro.yaml'."""
        return "clinic.yaml" if self.kind == "clinic" else f"{self.kind}/{self.id}.yaml"


def documents(project: Project) -> list[Document]:
    """Return every file a translation covers."""
    out: list[Document] = []
    for kind, item_id, path in sources(project):
        if kind == "clinic":
            data = _clinic_data(project)
            out.append(Document(kind, item_id, path, data, {}))
            continue
        loaded = load_yaml(path)
        lines = {loc: line for loc, (line, _) in loaded.marks.items()}
        out.append(Document(kind, item_id, path, loaded.data, lines))
    return out


def _existing(project: Project, doc: Document, language: str) -> tuple[Any, bool, Any]:
    """Return the current translation's data, whether it is stale, and its record."""
    item = translated_item(project, doc.kind, doc.id, language)
    if item is None:
        return None, False, None
    record = translation_record(item)
    data = load_yaml(item.source.file).data
    return data, record.source != current_hash(project, doc.kind, doc.id), record


def export_po(project: Project, language: str) -> tuple[bytes, int]:
    """Return the PO file of every translatable string in ``language`` and its entry count."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    name = display_name(language)
    catalog = Catalog(
        locale=babel_locale(language), domain="content", project="brochure content",
        version=None, language_team=name, fuzzy=False,
        header_comment=(
            f"# {name} translation of the brochure content.\n"
            "# Each entry's context names the file and the key path; its reference, the line.\n"
            "# Write each msgstr in plain words a patient understands; keep **bold**, links,\n"
            "# list dashes and every number as they are. Entries marked fuzzy were translated\n"
            "# before their English text changed: check them, then remove the mark.\n"
            f"# Import: brochure translations import FILE --lang {language}"))
    count = 0
    for doc in documents(project):
        current, stale, _ = _existing(project, doc, language)
        shown = display_path(doc.path)
        for loc, text in strings(doc.data):
            found = _get(current, loc) if current is not None else None
            catalog.add(
                text, found if isinstance(found, str) else "",
                locations=[(shown, doc.lines.get(loc, 1))],
                auto_comments=[f"{shown}: {format_loc(loc)}"],
                flags=("fuzzy",) if stale and isinstance(found, str) else (),
                context=f"{doc.key}:{format_loc(loc)}")
            count += 1
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=False,
             include_previous=False)
    return buffer.getvalue(), count


@dataclass
class Imported:
    """What an import did."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    incomplete: list[tuple[Path, int]] = field(default_factory=list)  # (file, untranslated)


class _Dumper(yaml.SafeDumper):
    """Writes text with line breaks as a literal block, the way the content files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key, as the content files do."""
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=92,
                     default_flow_style=False)


def import_po(project: Project, po_file: Path, language: str) -> Imported:
    """Write the translations of a PO file back to the ``<id>.<lang>.yaml`` files."""
    from babel.messages.pofile import read_po

    try:
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=babel_locale(language))
    except OSError as exc:
        raise UsageError(f"cannot read {po_file}: {exc.strerror}") from None
    except Exception as exc:  # Babel raises several kinds for a malformed file
        raise UsageError(f"{po_file} is not a PO file Babel can read: {exc}") from None
    translated: dict[str, str] = {}
    for message in catalog:
        if message.id and message.context and isinstance(message.string, str) \
                and message.string.strip() and not message.fuzzy:
            translated[message.context] = message.string
    result = Imported()
    problems: list[Problem] = []
    pending: list[tuple[Path, str]] = []
    for doc in documents(project):
        units = list(strings(doc.data))
        found = {loc: translated.get(f"{doc.key}:{format_loc(loc)}") for loc, _ in units}
        done = sum(1 for v in found.values() if v is not None)
        target = translation_path(doc.path, language)
        if done == 0:
            continue
        if done < len(units):
            result.incomplete.append((target, len(units) - done))
            continue
        data = copy.deepcopy(doc.data)
        for loc, text in found.items():
            assert text is not None
            _set(data, loc, text)
        current, stale, record = _existing(project, doc, language)
        if current is not None:
            body = {k: v for k, v in current.items() if k != "translation"}
            if body == data and not stale:
                result.unchanged.append(target)
                continue
        reviewed = None
        if current is not None and record is not None and record.reviewed is not None and \
                {k: v for k, v in current.items() if k != "translation"} == data:
            reviewed = {"on": record.reviewed.on, "by": record.reviewed.by}
        entry: dict[str, Any] = {"source": current_hash(project, doc.kind, doc.id),
                                 "reviewed": reviewed}
        if record is not None and record.note is not None:
            entry["note"] = record.note
        out = {"translation": entry, **data}
        text = _dump(out)
        problems.extend(_validate(doc.kind, target, text))
        pending.append((target, text))
    if problems:
        raise ContentError(problems)
    # Only translation files inside handouts/ are written, never through a link, and only
    # once every one of them may be: a refusal leaves every file as it was.
    within = Path(os.path.realpath(project.root / "handouts"))
    for target, _ in pending:
        check_target(target, kind="translation", within=within)
    for target, text in pending:
        atomic_write(target, text.encode("utf-8"), kind="translation", within=within)
        result.written.append(target)
    return result


def _validate(kind: str, target: Path, text: str) -> list[Problem]:
    """Validate a translation before it is written, with the model of its kind."""
    from brochure.content.load import Loaded

    data = yaml.safe_load(text)
    loaded = Loaded(file=target, data=data)
    try:
        if kind == "clinic":
            validate(ClinicTranslation, loaded)
        elif kind == "topics":
            validate(Topic, loaded)
        else:
            validate(Condition, loaded)
    except ContentError as exc:
        return exc.problems
    return []
