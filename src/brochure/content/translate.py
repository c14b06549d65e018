"""Translations: which parallel file a brochure uses per part, and how complete each language is.

A translation file is current when the hash it records (``translation.source``) is the
hash of its default-language file as it is now; otherwise it is stale. A part with no
translation file is missing: a build of that language fails naming the file, unless it is
asked to fall back to the default language.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from brochure.content.languages import display_name, is_known, unknown_message
from brochure.content.models import Clinic, Defaults
from brochure.content.project import (
    ClinicTextItem,
    ConditionItem,
    Project,
    TopicItem,
    source_hash,
    translation_record,
)
from brochure.errors import ContentError, Problem, UsageError, display_path

Status = Literal["translated", "missing", "stale"]


class MissingTranslations(ContentError):
    """A brochure's language lacks translation files and fallback was not allowed."""

    def __init__(self, language: str, paths: list[Path]) -> None:
        name = display_name(language)
        super().__init__([Problem(
            display_path(path), 1, 1, "",
            f"missing: the {name} translation of {display_path(_source_of(path))}; "
            f"translate it ('brochure translations export --lang {language}') or build with "
            "--allow-fallback to print it in the default language") for path in paths])


def _source_of(path: Path) -> Path:
    """Return the default-language file a translation file translates."""
    stem, _, _ = path.name.partition(".")
    return path.with_name(f"{stem}.yaml")


def translation_path(source: Path, language: str) -> Path:
    """Return where the ``language`` translation of ``source`` lives."""
    return source.with_name(f"{source.stem}.{language}.yaml")


@dataclass
class Chosen:
    """The translation files one brochure uses, and the ones it lacks."""

    condition: ConditionItem | None = None
    topics: dict[str, TopicItem] = field(default_factory=dict)
    missing: list[Path] = field(default_factory=list)  # translation files not there


def pick_translations(project: Project, condition: str, topics: list[str],
                      language: str) -> Chosen:
    """Return the translated condition and topics of one brochure in ``language``."""
    chosen = Chosen()
    if language == project.language:
        return chosen
    tr = project.translation(language)
    chosen.condition = tr.conditions.get(condition)
    if chosen.condition is None:
        source = project.conditions[condition].source.file
        chosen.missing.append(translation_path(source, language))
    for topic_id in topics:
        if topic_id in tr.topics:
            chosen.topics[topic_id] = tr.topics[topic_id]
        elif topic_id in project.topics:
            chosen.missing.append(translation_path(project.topics[topic_id].source.file,
                                                   language))
    if tr.clinic is None:
        chosen.missing.append(translation_path(project.clinic_source.file, language))
    return chosen


def clinic_texts(clinic: Clinic) -> dict[str, Any]:
    """Return the clinic's words a patient reads, the part of clinic.yaml a translation covers."""
    return {
        "tagline": clinic.tagline,
        "disclaimer": clinic.disclaimer,
        "logo_alt": clinic.logo.alt if clinic.logo else None,
        "locations": {loc.id: {"name": loc.name, "hours": list(loc.hours)}
                      for loc in clinic.locations},
        "emergency_words": clinic.emergency.words,
        "after_hours": clinic.after_hours,
        # Only practitioners with an id (which a translation names them by), and only when
        # there are any, so a clinic without them keeps its hash.
        **({"practitioners": {p.id: {"role": p.role} for p in clinic.practitioners if p.id}}
           if any(p.id for p in clinic.practitioners) else {}),
    }


def clinic_hash(clinic: Clinic) -> str:
    """Return the hash a clinic translation records: of the texts, not names or numbers.

    A new phone number or colour does not make the translations stale; a new disclaimer does.
    """
    text = json.dumps(clinic_texts(clinic), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def localized_clinic(project: Project, language: str) -> Clinic:
    """Return the clinic with its texts in ``language`` (as they are where not translated)."""
    clinic = project.clinic
    if language == project.language:
        return clinic
    item = project.translation(language).clinic
    if item is None:
        return clinic
    text = item.model
    update: dict[str, Any] = {}
    if text.tagline is not None:
        update["tagline"] = text.tagline
    if text.disclaimer is not None:
        update["disclaimer"] = text.disclaimer
    if text.emergency_words is not None:
        update["emergency"] = clinic.emergency.model_copy(update={"words": text.emergency_words})
    if text.after_hours is not None:
        update["after_hours"] = text.after_hours
    if text.logo_alt is not None and clinic.logo is not None:
        update["logo"] = clinic.logo.model_copy(update={"alt": text.logo_alt})
    if text.locations:
        locations = []
        for loc in clinic.locations:
            words = text.locations.get(loc.id)
            changes: dict[str, Any] = {}
            if words is not None and words.name is not None:
                changes["name"] = words.name
            if words is not None and words.hours is not None:
                changes["hours"] = list(words.hours)
            locations.append(loc.model_copy(update=changes))
        update["locations"] = locations
    if text.practitioners:
        update["practitioners"] = [
            p.model_copy(update={"role": text.practitioners[p.id].role})
            if p.id in text.practitioners else p for p in clinic.practitioners]
    return clinic.model_copy(update=update)


@dataclass(frozen=True)
class FileStatus:
    """One default-language file in one language."""

    language: str
    source: str  # the default-language file, as shown
    translation: str  # the translation file, as shown
    status: Status
    reviewed: bool  # a native-speaking clinician has reviewed the translation


@dataclass
class Coverage:
    """How complete each language is."""

    files: list[FileStatus] = field(default_factory=list)

    def languages(self) -> list[str]:
        """Return the languages covered, in order."""
        return list(dict.fromkeys(f.language for f in self.files))

    def count(self, language: str, status: Status) -> int:
        """Return how many files of ``language`` have ``status``."""
        return sum(1 for f in self.files if f.language == language and f.status == status)

    def unreviewed(self, language: str) -> int:
        """Return how many present translations no native-speaking clinician has reviewed."""
        return sum(1 for f in self.files if f.language == language and f.status != "missing"
                   and not f.reviewed)

    @property
    def complete(self) -> bool:
        """Return True when nothing is missing or stale."""
        return all(f.status == "translated" for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        """Return the coverage as plain data, for --format json."""
        return {
            "languages": {
                lang: {"translated": self.count(lang, "translated"),
                       "missing": self.count(lang, "missing"),
                       "stale": self.count(lang, "stale"),
                       "unreviewed": self.unreviewed(lang)}
                for lang in self.languages()},
            "files": [{"language": f.language, "source": f.source,
                       "translation": f.translation, "status": f.status,
                       "reviewed": f.reviewed} for f in self.files],
        }


def sources(project: Project) -> list[tuple[str, str, Path]]:
    """Return (kind, id, path) of every default-language file a translation can cover."""
    out: list[tuple[str, str, Path]] = [("clinic", "clinic", project.clinic_source.file)]
    out += [("topics", i, t.source.file) for i, t in project.topics.items()]
    out += [("conditions", i, c.source.file) for i, c in project.conditions.items()]
    return out


def current_hash(project: Project, kind: str, item_id: str) -> str:
    """Return the hash a translation of this file must record to be current."""
    if kind == "clinic":
        return clinic_hash(project.clinic)
    item = project.topics[item_id] if kind == "topics" else project.conditions[item_id]
    return source_hash(item.source.file)


def translated_item(project: Project, kind: str, item_id: str,
                    language: str) -> TopicItem | ConditionItem | ClinicTextItem | None:
    """Return the translation of one file in ``language``, if there is one."""
    tr = project.translation(language)
    if kind == "clinic":
        return tr.clinic
    return (tr.topics if kind == "topics" else tr.conditions).get(item_id)


def coverage(project: Project, languages: list[str] | None = None) -> Coverage:
    """Return the status of every file in every language but the default."""
    wanted = languages or [lang for lang in dict.fromkeys(
        [*project.languages, *sorted(project.translated)]) if lang != project.language]
    result = Coverage()
    for lang in wanted:
        for kind, item_id, path in sources(project):
            item = translated_item(project, kind, item_id, lang)
            target = translation_path(path, lang)
            if item is None:
                result.files.append(FileStatus(lang, display_path(path), display_path(target),
                                               "missing", False))
                continue
            record = translation_record(item)
            status: Status = "translated" if record.source == current_hash(
                project, kind, item_id) else "stale"
            result.files.append(FileStatus(lang, display_path(path), display_path(target),
                                           status, record.reviewed is not None))
    return result


def check_complete(project: Project, conditions: list[ConditionItem],
                   topics: list[str] | None, languages: list[str]) -> None:
    """Raise MissingTranslations naming every translation file the builds would need."""
    problems: list[Problem] = []
    for lang in languages:
        if lang == project.language:
            continue
        missing: list[Path] = []
        for item in conditions:
            ids = list(item.model.topics) if topics is None else topics
            missing.extend(pick_translations(project, item.id, ids, lang).missing)
        if missing:
            problems.extend(MissingTranslations(lang, list(dict.fromkeys(missing))).problems)
    if problems:
        raise ContentError(problems)


def layouts_for(defaults: Defaults, language: str, chosen: list[str], *,
                 explicit_layout: bool, explicit_lang: bool) -> list[str]:
    """Return the layouts one language is built in.

    A language with its own ``defaults.layouts_by_language`` entry keeps to it unless the
    command names both the layout and the language: ``--layout trifold`` builds the
    tri-folds of the languages that have one, ``--layout trifold --lang es`` tries Spanish.
    """
    own = defaults.layouts_by_language.get(language)
    if own is None or explicit_lang:
        return chosen if explicit_layout else defaults.layouts_for(language)
    return [name for name in chosen if name in own] if explicit_layout else own


def select_languages(proj: Project, wanted: list[str]) -> list[str]:
    """Return the languages to build: ``wanted`` (checked) or the project's defaults."""
    if not wanted:
        return proj.languages
    known = [*proj.languages, *proj.translated]
    for code in wanted:
        if not is_known(code):
            raise UsageError(f"--lang: {unknown_message(code, known)}")
    return list(dict.fromkeys(wanted))
