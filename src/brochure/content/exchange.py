"""Exchange translations with a translator as a gettext PO file, written and read with Babel.

``export`` writes every string a patient reads, one entry each: the context names the
file and the key path (``topics/intro.yaml:blocks[2].items[0]``), the reference its line,
the msgid the default-language text and the msgstr the current translation (marked fuzzy
when the default-language file changed since it was translated). ``import`` writes each
file's translation back as ``<id>.<lang>.yaml`` with the structure, ids and numbers of the
default-language file. A file whose translated text is what it already holds is not
touched, so exporting and importing an unchanged PO file changes nothing.

An import is honest about what it takes: the PO file is UTF-8 (a header declaring another
charset over non-ASCII text is refused), an entry whose msgid is not the English text as
it is now is not imported (its file stays stale rather than being marked current), an
entry naming no file or key of the project is listed, and a control character in any
msgstr refuses the whole import. Nothing is written unless every file can be.
"""

from __future__ import annotations

import copy
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from brochure.content.languages import babel_locale, display_name
from brochure.content.load import Loc, format_loc, load_yaml
from brochure.content.models import ClinicTranslation, Condition, Topic
from brochure.content.outfile import check_target
from brochure.content.project import Project, translation_record
from brochure.content.translate import (
    clinic_texts,
    current_hash,
    sources,
    translated_item,
    translation_path,
)
from brochure.content.validate import validate
from brochure.errors import ContentError, Problem, UsageError, display_path, printable, suggest
from brochure.safefile import CONTROL

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

# The largest PO file read: the shipped content's is about 200 KB.
PO_LIMIT = 8 * 1024 * 1024

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
    """What an import did, or (``pending``) will do once the caller writes the files."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    incomplete: list[tuple[Path, int]] = field(default_factory=list)  # (file, untranslated)
    skipped: list[str] = field(default_factory=list)  # one line per entry not imported
    stale: int = 0  # entries translated from English that has changed since
    unknown: int = 0  # entries naming no file or key of the project
    pending: list[tuple[Path, str]] = field(default_factory=list)  # checked, to write


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


def read_catalog(text: str, shown: str, language: str) -> tuple[Catalog, list[Message]]:
    """Parse a PO file's text (UTF-8, as ``read_input`` returns it) with Babel.

    Return the catalog (its header) and every entry in the file's order: Babel's catalog
    merges a second entry of the same text into the first, keeping the first msgstr, so
    a second, different translation would go unseen. A malformed line is refused with
    its number; so is a header that declares another charset while the file holds text
    that is not ASCII (a UTF-8 file labelled ISO-8859-1 would otherwise be read as
    mojibake). brochure reads PO files as UTF-8 only.
    """
    import codecs

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import PoFileError, PoFileParser

    class Entries(Catalog):
        """A catalog that also keeps each entry as the file has it."""

        entries: list[Message]

        def __setitem__(self, id: Any, message: Message) -> None:
            if message.id:
                self.entries.append(message)
            super().__setitem__(id, message)

    lines = text.split("\n")  # not splitlines(): U+2028 and the like are text in a msgstr
    catalog = Entries(locale=babel_locale(language), domain=None)
    catalog.entries = []
    try:
        PoFileParser(catalog, ignore_obsolete=True, abort_invalid=True).parse(lines)
    except PoFileError as exc:
        raise UsageError(f"{shown}:{exc.lineno + 1}: not a PO file brochure can read: "
                         f"{printable(str(exc.args[0]))}; fix the line, or export a new PO "
                         "file") from None
    except Exception as exc:  # Babel raises several kinds for a malformed file
        raise UsageError(f"{shown}: not a PO file brochure can read: "
                         f"{printable(str(exc))[:120]}; export a new PO file") from None
    declared = str(catalog.charset or "utf-8")
    try:
        utf8 = codecs.lookup(declared).name == "utf-8"
    except LookupError:
        utf8 = False
    if not utf8 and not text.isascii():
        line = next((i for i, row in enumerate(lines, 1) if "charset=" in row.lower()), 1)
        raise UsageError(
            f"{shown}:{line}: the header says charset={printable(declared)}, but the file "
            "is UTF-8 text with letters beyond ASCII, and brochure reads PO files as UTF-8 "
            "only; if the text reads right as UTF-8, change the header to charset=UTF-8, "
            "otherwise convert the file first (msgconv --to-code=UTF-8)")
    return catalog, catalog.entries


def _entries(entries: list[Message], shown: str, docs: list[Document],
             result: Imported, problems: list[Problem]) -> dict[str, str]:
    """Return the translations to import, by context; report every other entry.

    An entry is imported only when its file and key exist, it is not fuzzy, and its
    msgid is the English text as it is now: a translation of older English stays out
    (the file stays stale) instead of being recorded as current.
    """
    english = {doc.key: {format_loc(loc): text for loc, text in strings(doc.data)}
               for doc in docs}
    paths = {doc.key: doc.path for doc in docs}
    found: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for message in entries:
        line = message.lineno or 1
        string = message.string
        texts = [string] if isinstance(string, str) else [t for t in string or () if t]
        context = message.context or ""
        bad = next((m for t in texts if (m := CONTROL.search(t)) is not None), None)
        if bad is not None:
            problems.append(Problem(shown, line, 1, printable(context),
                                    f"the translation holds the control character "
                                    f"U+{ord(bad[0]):04X}, which does not print; delete it"))
            continue
        if not isinstance(string, str) or not string.strip() or message.fuzzy:
            continue  # not translated yet, or not confirmed: the file stays incomplete
        file, _, key = context.partition(":")
        where = f"{shown}:{line}: {printable(context)}" if context else f"{shown}:{line}"
        if not context:
            result.unknown += 1
            result.skipped.append(f"{where}: the entry has no msgctxt naming its file and "
                                  "key; not imported (translate in a PO file exported by "
                                  "brochure)")
        elif file not in english:
            result.unknown += 1
            result.skipped.append(f"{where}: the project has no file {printable(file)} to "
                                  f"translate{suggest(file, set(english))}; not imported")
        elif key not in english[file]:
            result.unknown += 1
            result.skipped.append(f"{where}: {display_path(paths[file])} has no text at "
                                  f"'{printable(key)}'{suggest(key, set(english[file]))}; "
                                  "not imported")
        elif message.id != english[file][key]:
            result.stale += 1
            result.skipped.append(f"{where}: translated from English that has changed since "
                                  "(the msgid is not the current text); not imported: export "
                                  "a new PO file and translate the new text")
        elif context in found:
            problems.append(Problem(shown, line, 1, printable(context),
                                    f"a second translation of this text (the first is at line "
                                    f"{first_line[context]}); keep one of them"))
        else:
            found[context] = string
            first_line[context] = line
    return found


def import_po(project: Project, text: str, language: str, *, shown: str) -> Imported:
    """Check a PO file's translations and return the ``<id>.<lang>.yaml`` files to write.

    ``text`` is the PO file's text and ``shown`` its name in messages. Nothing is
    written here: the files come back in ``pending``, every one validated, for the
    caller to write all together. Any problem (a control character in a msgstr, a
    translation its model refuses) raises ContentError, so nothing is written at all.
    """
    _, entries = read_catalog(text, shown, language)
    result = Imported()
    problems: list[Problem] = []
    docs = documents(project)
    translated = _entries(entries, shown, docs, result, problems)
    for doc in docs:
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
        for loc, value in found.items():
            assert value is not None
            _set(data, loc, value)
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
        out = _dump({"translation": entry, **data})
        problems.extend(_validate(doc.kind, target, out))
        result.pending.append((target, out))
    if problems:
        raise ContentError(problems)
    # Only translation files inside handouts/ are written, never through a link: each is
    # checked now, so a refusal comes before any file is written, and again when written.
    within = Path(os.path.realpath(project.root / "handouts"))
    for target, _ in result.pending:
        check_target(target, kind="translation", within=within)
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
