"""Find, load and validate a whole content project, collecting every problem before failing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from brochure.content.bodymap import known_regions
from brochure.content.languages import is_known, unknown_message
from brochure.content.layouts import (
    Layout,
    all_layouts,
    get_layout,
    own_layout_problems,
    select_layouts,
)
from brochure.content.load import Loaded, load_yaml
from brochure.content.models import (
    Block,
    Clinic,
    ClinicTranslation,
    Condition,
    FiguresBlock,
    Source,
    Topic,
    TranslationRecord,
)
from brochure.content.printcolour import profile_problems
from brochure.content.theme import contrast_problems, logo_problems
from brochure.content.validate import validate
from brochure.errors import ContentError, Problem, UsageError, display_path, suggest
from brochure.safefile import Refused, resolve_folder

M = TypeVar("M", bound=BaseModel)

# The language is the optional part between the id and ".yaml": intro.yaml, intro.es.yaml.
# Files without it are in the clinic's default language, so translations never touch them.
FILE_NAME = re.compile(
    r"^(?P<id>[a-z0-9][a-z0-9-]*)(?:\.(?P<lang>[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{2,8})?))?\.yaml$")
# Topics every brochure must end with: the safety topic holds the when-to-call callout.
REQUIRED_TOPICS = ("safety",)


@dataclass(frozen=True)
class Item:
    """A validated document and where it came from."""

    id: str
    source: Loaded


@dataclass(frozen=True)
class TopicItem(Item):
    """A validated topic."""

    model: Topic


@dataclass(frozen=True)
class ConditionItem(Item):
    """A validated condition brochure."""

    model: Condition


@dataclass(frozen=True)
class ClinicTextItem:
    """A validated ``clinic.<lang>.yaml``."""

    source: Loaded
    model: ClinicTranslation


@dataclass
class Language:
    """The translated files of one language other than the default."""

    code: str
    topics: dict[str, TopicItem] = field(default_factory=dict)
    conditions: dict[str, ConditionItem] = field(default_factory=dict)
    clinic: ClinicTextItem | None = None


@dataclass
class Project:
    """Everything a build needs from the content folder, validated."""

    root: Path
    clinic: Clinic
    clinic_source: Loaded
    topics: dict[str, TopicItem] = field(default_factory=dict)
    conditions: dict[str, ConditionItem] = field(default_factory=dict)
    translated: dict[str, Language] = field(default_factory=dict)

    @property
    def language(self) -> str:
        """Return the default language: the one of files without a language part."""
        return self.clinic.defaults.language

    @property
    def languages(self) -> list[str]:
        """Return the languages a default build makes."""
        return self.clinic.defaults.matrix_languages

    @cached_property
    def layouts(self) -> dict[str, Layout]:
        """Return every layout a build of this project may use: the package's, then its own."""
        return all_layouts(self.clinic.layouts)

    def layout(self, name: str) -> Layout:
        """Return a layout by id, the project's own among them, or a usage error."""
        return get_layout(name, self.clinic.layouts)

    def select_layouts(self, names: str | Sequence[str]) -> list[Layout]:
        """Return the layouts to build: one id, several, or 'all' (the project's own too)."""
        return select_layouts(names, self.clinic.layouts)

    def translation(self, language: str) -> Language:
        """Return the translated files of ``language`` (empty when it has none)."""
        return self.translated.get(language) or Language(language)

    @property
    def handouts(self) -> Path:
        """Return the content folder."""
        return self.root / "handouts"

    def select(self, ids: list[str]) -> list[ConditionItem]:
        """Return the named conditions in the order given (all when none are named)."""
        if not ids:
            return list(self.conditions.values())
        unknown = [i for i in ids if i not in self.conditions]
        if unknown:
            name = unknown[0]
            raise UsageError(
                f"unknown condition '{name}'{suggest(name, set(self.conditions))}; "
                "run 'brochure list' to see them"
            )
        return [self.conditions[i] for i in dict.fromkeys(ids)]


def _files(folder: Path, problems: list[Problem],
           translations: list[tuple[str, str, Path]] | None = None) -> list[tuple[str, Path]]:
    """Return (id, path) for each default-language YAML file in ``folder``, sorted by id.

    Translation files (``<id>.<lang>.yaml``) go to ``translations`` as (id, lang, path).
    """
    found: list[tuple[str, Path]] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix in {".yml", ".yaml"} or path.name.endswith(".yaml"):
            match = FILE_NAME.match(path.name)
            if not match:
                problems.append(Problem(
                    display_path(path), 1, 1, "",
                    "file names must be lowercase letters, digits and hyphens ending in "
                    "'.yaml' (for example 'back-pain.yaml'); rename the file",
                ))
            elif match["lang"] is None:
                found.append((match["id"], path))
            elif translations is not None:
                translations.append((match["id"], match["lang"], path))
    return found


def _load(path: Path, model: type[M], problems: list[Problem],
          root: Path | None = None) -> tuple[Loaded, M] | None:
    try:
        # Content files are read only from inside handouts/, after links are followed.
        handouts = path.parent if path.name == "clinic.yaml" else path.parents[1]
        loaded = load_yaml(path, (handouts,))
    except ContentError as exc:
        problems.extend(exc.problems)
        return None
    if root is not None:  # clinic.yaml: its own layouts name files of the project
        problems.extend(own_layout_problems(loaded, root))
    try:
        return loaded, validate(model, loaded)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None


def load_project(root: Path) -> Project:
    """Load and validate the project at ``root``; raise ContentError listing every problem."""
    handouts = root / "handouts"
    if not handouts.is_dir():
        raise UsageError(
            f"no 'handouts' folder in {display_path(root)}; run the command in a brochure "
            "project or pass --project DIR"
        )
    problems: list[Problem] = []
    for name in ("handouts", "assets", "styles", "templates"):
        # The tool reads from these folders: one that is a link out of the project would
        # let any file of the machine into a brochure.
        folder = root / name
        if folder.is_symlink() or folder.exists():
            try:
                resolve_folder(folder, (root,))
            except Refused as exc:
                problems.append(Problem(display_path(folder), 1, 1, "", exc.reason))
    clinic_path = handouts / "clinic.yaml"
    clinic: tuple[Loaded, Clinic] | None = None
    if clinic_path.is_file():
        clinic = _load(clinic_path, Clinic, problems, root)
    else:
        problems.append(Problem(display_path(clinic_path), 1, 1, "",
                                "missing file; create it with the clinic's name, phone, website, "
                                "address and disclaimer"))
    topics: dict[str, TopicItem] = {}
    found: dict[str, list[tuple[str, str, Path]]] = {"topics": [], "conditions": []}
    topic_files = _files(handouts / "topics", problems, found["topics"])
    for topic_id, path in topic_files:
        if (got := _load(path, Topic, problems)) is not None:
            topics[topic_id] = TopicItem(topic_id, got[0], got[1])
    conditions: dict[str, ConditionItem] = {}
    condition_files = _files(handouts / "conditions", problems, found["conditions"])
    for cond_id, path in condition_files:
        if (got_c := _load(path, Condition, problems)) is not None:
            conditions[cond_id] = ConditionItem(cond_id, got_c[0], got_c[1])
    defaults: list[TopicItem | ConditionItem] = [*topics.values(), *conditions.values()]
    for item in defaults:
        if item.model.translation is not None:
            problems.append(item.source.problem(
                ("translation",), "only translation files (<id>.<lang>.yaml) carry "
                "'translation'; remove it from this default-language file", key=True))
    default = clinic[1].defaults if clinic is not None else None
    translated = _load_translations(
        handouts, found, {"topics": dict(topic_files), "conditions": dict(condition_files)},
        default.language if default else "en",
        default.matrix_languages if default else [], problems)
    if not conditions and not problems:
        problems.append(Problem(display_path(handouts / "conditions"), 1, 1, "",
                                "no condition brochures found; add a file such as "
                                "'handouts/conditions/back-pain.yaml'"))
    items: list[TopicItem | ConditionItem] = [*topics.values(), *conditions.values()]
    for item in items:
        problems.extend(_check_sources(item))
    for cond in conditions.values():
        # A topic file that exists but failed validation is still a known id: its own
        # problems are reported once, not again by every condition that includes it.
        known = {topic_id for topic_id, _ in topic_files}
        problems.extend(check_topic_ids(cond.source, cond.model.topics, known, ("topics",)))
        problems.extend(_check_regions(cond))
    if clinic is not None:
        for language in translated.values():
            if language.clinic is not None:
                problems.extend(_check_clinic_ids(clinic[1], language.clinic))
        problems.extend(contrast_problems(clinic[1], clinic[0]))
        problems.extend(logo_problems(clinic[1], clinic[0], root))
        problems.extend(profile_problems(clinic[1], clinic[0], root))
    if problems or clinic is None:
        raise ContentError(problems)
    return Project(root=root, clinic=clinic[1], clinic_source=clinic[0],
                   topics=topics, conditions=conditions, translated=translated)


def _check_clinic_ids(clinic: Clinic, item: ClinicTextItem) -> list[Problem]:
    """Return a problem for each unknown location or practitioner a clinic translation names.

    Texts under an id that clinic.yaml does not have would silently print untranslated.
    """
    found = []
    for key, known in (("locations", [loc.id for loc in clinic.locations]),
                       ("practitioners", [p.id for p in clinic.practitioners if p.id])):
        for name in getattr(item.model, key):
            if name not in known:
                found.append(item.source.problem(
                    (key, name), f"no {key[:-1]} '{name}' in clinic.yaml"
                    f"{suggest(name, set(known))}; use the id it has there", key=True))
    return found


def source_hash(path: Path) -> str:
    """Return the hash a translation records of the file it was translated from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _language_problem(path: Path, lang: str, default: str,
                      languages: list[str]) -> str | None:
    if not is_known(lang):
        return unknown_message(lang, languages)
    if lang == default:
        return (f"'{lang}' is the default language, which files without a language part "
                f"hold; rename the file to '{path.name.replace(f'.{lang}.', '.')}' or "
                "change defaults.language")
    return None


def _load_translations(handouts: Path, found: dict[str, list[tuple[str, str, Path]]],
                       sources: dict[str, dict[str, Path]], default: str,
                       languages: list[str], problems: list[Problem]) -> dict[str, Language]:
    """Load and validate every translation file with the model of its default-language file."""
    out: dict[str, Language] = {}
    models: dict[str, type[Topic] | type[Condition]] = {"topics": Topic,
                                                        "conditions": Condition}
    for folder, entries in found.items():
        for item_id, lang, path in entries:
            if (message := _language_problem(path, lang, default, languages)) is not None:
                problems.append(Problem(display_path(path), 1, 1, "", message))
                continue
            if item_id not in sources[folder]:
                singular = folder[:-1]
                problems.append(Problem(
                    display_path(path), 1, 1, "",
                    f"this translates {folder}/{item_id}.yaml, which does not exist"
                    f"{suggest(item_id, set(sources[folder]))}; rename the file after the "
                    f"{singular} it translates"))
                continue
            got = _load(path, models[folder], problems)
            if got is None:
                continue
            loaded, model = got
            if model.translation is None:
                problems.append(loaded.problem((), _record_hint(sources[folder][item_id])))
                continue
            language = out.setdefault(lang, Language(lang))
            if isinstance(model, Topic):
                language.topics[item_id] = TopicItem(item_id, loaded, model)
            else:
                language.conditions[item_id] = ConditionItem(item_id, loaded, model)
    for path in sorted(handouts.glob("clinic.*.yaml")):
        lang = path.name[len("clinic."):-len(".yaml")]
        if (message := _language_problem(path, lang, default, languages)) is not None:
            problems.append(Problem(display_path(path), 1, 1, "", message))
            continue
        if (got_t := _load(path, ClinicTranslation, problems)) is not None:
            out.setdefault(lang, Language(lang)).clinic = ClinicTextItem(got_t[0], got_t[1])
    return out


def _record_hint(source: Path) -> str:
    return ("a translation file must say what it was translated from; add 'translation: "
            f"{{source: \"{source_hash(source)}\", reviewed: null}}' (the hash of "
            f"{display_path(source)} as it is now)")


def translation_record(item: TopicItem | ConditionItem | ClinicTextItem) -> TranslationRecord:
    """Return the translation record of a translation file."""
    record = item.model.translation
    assert record is not None  # translation files without one are refused when loading
    return record


def check_topic_ids(source: Loaded | None, ids: list[str], known: set[str],
                    loc: tuple[str, ...]) -> list[Problem]:
    """Check a list of topic ids: each known, none repeated, the required ones present."""
    problems: list[Problem] = []

    def report(where: tuple[str | int, ...], message: str) -> None:
        if source is not None:
            problems.append(source.problem(where, message))
        else:
            problems.append(Problem("--topics", 1, 1, "", message))

    seen: set[str] = set()
    for i, topic_id in enumerate(ids):
        if topic_id not in known:
            report((*loc, i), f"unknown topic '{topic_id}'{suggest(topic_id, known)}; "
                              "run 'brochure list' to see the topics")
        elif topic_id in seen:
            report((*loc, i), f"topic '{topic_id}' is listed twice; keep one")
        seen.add(topic_id)
    for required in REQUIRED_TOPICS:
        if required in known and required not in seen:
            report(loc, f"every brochure must include the '{required}' topic (it holds "
                        "when to call the clinic); add it to the list")
    return problems


def _check_regions(cond: ConditionItem) -> list[Problem]:
    """Check that every body region a condition names is one the body map can mark."""
    problems: list[Problem] = []
    known = known_regions()
    seen: set[str] = set()
    for i, region in enumerate(cond.model.body_regions):
        if region not in known:
            problems.append(cond.source.problem(
                ("body_regions", i),
                f"unknown body region '{region}'{suggest(region, set(known))}; use one of: "
                f"{', '.join(known)}"))
        elif region in seen:
            problems.append(cond.source.problem(("body_regions", i),
                                                f"body region '{region}' is listed twice; "
                                                "keep one"))
        seen.add(region)
    return problems


def _blocks(item: TopicItem | ConditionItem) -> list[tuple[tuple[str | int, ...], Block]]:
    if isinstance(item, TopicItem):
        return [(("blocks", i), b) for i, b in enumerate(item.model.blocks)]
    return [(("sections", s, "blocks", i), b)
            for s, section in enumerate(item.model.sections)
            for i, b in enumerate(section.blocks)]


def _check_sources(item: TopicItem | ConditionItem) -> list[Problem]:
    problems: list[Problem] = []
    sources: list[Source] = item.model.sources
    seen: set[str] = set()
    for i, src in enumerate(sources):
        if src.id in seen:
            problems.append(item.source.problem(("sources", i, "id"),
                                                f"source id '{src.id}' is used twice"))
        seen.add(src.id)
    for loc, block in _blocks(item):
        if isinstance(block, FiguresBlock):
            for j, fig in enumerate(block.items):
                if fig.source is not None and fig.source not in seen:
                    problems.append(item.source.problem(
                        (*loc, "items", j, "source"),
                        f"unknown source '{fig.source}'{suggest(fig.source, seen)}; "
                        "list it under 'sources' in this file",
                    ))
    return problems


