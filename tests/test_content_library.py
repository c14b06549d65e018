"""The shipped content library: its own words, every article fact printed, figures sourced."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HANDOUTS = ROOT / "handouts"
ARTICLE = ROOT.parent / "shared" / "seed" / "000_de04aa839bcff55e.txt"
FACTS = Path(__file__).resolve().parent / "data" / "article_facts.yaml"

RUN = 10  # words in a row that may not be shared with the article

TOPICS = {
    "intro", "trigger-points", "benefits", "process", "conditions-overview", "safety",
    "aftercare",
}  # fmt: skip
CONDITIONS = {
    "back-pain", "tension-headaches", "migraines", "fibromyalgia", "frozen-shoulder",
    "sciatica", "tendonitis", "sports-injuries", "carpal-tunnel-syndrome", "shin-splints",
    "shoulder-pain", "muscle-knots", "golfers-elbow", "osteoarthritis",
}  # fmt: skip
# Keys whose values are identifiers or settings, not words a patient reads.
NOT_PROSE = {"id", "kind", "tone", "source", "topics", "on"}


# --------------------------------------------------------------------------- helpers


def content_files() -> list[Path]:
    """Return every YAML file of the content library (clinic, topics, conditions)."""
    return sorted(p for p in HANDOUTS.rglob("*") if p.suffix in {".yaml", ".yml"})


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def strings(node: Any, key: str = "") -> Iterator[str]:
    """Yield every string in loaded YAML, skipping identifiers and settings."""
    if key in NOT_PROSE:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from strings(item, key)
    elif isinstance(node, dict):
        for k, value in node.items():
            yield from strings(value, str(k))


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9']+", text)


def blocks_of(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (where, block) for a topic's blocks or a condition's section blocks."""
    for i, block in enumerate(data.get("blocks") or []):
        yield f"blocks[{i}]", block
    for s, section in enumerate(data.get("sections") or []):
        for i, block in enumerate(section.get("blocks") or []):
            yield f"sections[{s}].blocks[{i}]", block


def ids(folder: str) -> set[str]:
    """Return the ids of the default-language files in handouts/<folder>."""
    return {
        p.name.removesuffix(".yaml")
        for p in (HANDOUTS / folder).glob("*.yaml")
        if p.name.count(".") == 1
    }


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def normalise(text: str) -> str:
    """Lowercase, straight quotes, one kind of dash, line-break hyphens joined, spaces collapsed."""
    text = text.replace("\u00ad", "").replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = _DASHES.sub("-", text.lower())
    text = re.sub(r"-\s*\n\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def found(phrase: str, text: str, unhyphenated: str) -> bool:
    """Tell whether ``phrase`` is in the text, also when a line break hyphenated a word."""
    wanted = normalise(phrase)
    return wanted in text or wanted.replace("-", "") in unhyphenated


def article_text() -> str:
    if not ARTICLE.is_file():
        pytest.fail(
            f"the source article is missing: expected it at {ARTICLE}; the content "
            "library is checked against it, so restore it rather than skip the check"
        )
    return ARTICLE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- tests


def test_no_long_runs_copied_from_the_article() -> None:
    article = words(article_text())
    shared = {tuple(article[i : i + RUN]) for i in range(len(article) - RUN + 1)}
    copied: list[str] = []
    for path in content_files():
        for text in strings(load(path)):
            ws = words(text)
            for i in range(len(ws) - RUN + 1):
                if tuple(ws[i : i + RUN]) in shared:
                    copied.append(f"{path.relative_to(ROOT)}: '{' '.join(ws[i : i + RUN])}'")
                    break
    assert not copied, (
        f"{len(copied)} string(s) share {RUN}+ words in a row with the "
        "article; rewrite them in your own words:\n" + "\n".join(copied)
    )


def test_fourteen_conditions_and_seven_topics() -> None:
    assert ids("topics") == TOPICS
    assert ids("conditions") == CONDITIONS


def test_every_condition_ends_with_safety_then_aftercare() -> None:
    for cond in sorted(CONDITIONS):
        topics = load(HANDOUTS / "conditions" / f"{cond}.yaml")["topics"]
        assert topics[-2:] == ["safety", "aftercare"], f"{cond}: topics end with {topics[-2:]}"
        assert "process" in topics, f"{cond}: include 'process' (what a visit looks like)"


def test_every_figure_has_a_source_and_words() -> None:
    problems: list[str] = []
    count = 0
    for path in content_files():
        data = load(path)
        if not isinstance(data, dict):
            continue
        sources = {s["id"] for s in data.get("sources") or []}
        for where, block in blocks_of(data):
            if block.get("kind") != "figures":
                continue
            if not str(block.get("measure") or "").strip():
                problems.append(f"{path.name}: {where}: no 'measure'")
            for j, item in enumerate(block.get("items") or []):
                count += 1
                at = f"{path.name}: {where}.items[{j}] ({item.get('label')})"
                if not item.get("source"):
                    problems.append(f"{at}: no 'source'")
                elif item["source"] not in sources:
                    problems.append(f"{at}: source '{item['source']}' is not listed in 'sources'")
                if not str(item.get("words") or "").strip():
                    problems.append(f"{at}: no plain 'words' for the number")
    assert count > 0, "no figures found in the content library"
    assert not problems, "\n".join(problems)


def test_every_figure_is_a_figure_of_the_article() -> None:
    """Each (label, low, high) must match a row of one of the article's percentage tables."""
    rows: dict[str, set[tuple[float, float | None]]] = {}
    row = re.compile(r"^([A-Z][^|]*?)\s*\|\s*(\d+)\s*%?\s*(?:[\u2013-]\s*(\d+))?\s*%?\s*\|\s*$")
    for line in article_text().splitlines():
        if m := row.match(line.strip()):
            high = float(m[3]) if m[3] else None
            rows.setdefault(normalise(m[1]).replace("\u2019", "'"), set()).add((float(m[2]), high))
    assert rows, "could not read the article's tables"
    problems: list[str] = []
    for path in content_files():
        data = load(path)
        if not isinstance(data, dict):
            continue
        for where, block in blocks_of(data):
            if block.get("kind") != "figures":
                continue
            for item in block.get("items") or []:
                label = normalise(item["label"])
                value = (float(item["low"]), float(item["high"]) if "high" in item else None)
                names = [name for name in rows if label.startswith(name)]
                if not names or not any(value in rows[name] for name in names):
                    problems.append(
                        f"{path.name}: {where}: {item['label']} {value} is not a "
                        "figure the article gives for that condition"
                    )
    assert not problems, "\n".join(problems)


def test_general_guidance_marked_on_safety_callouts() -> None:
    safety = load(HANDOUTS / "topics" / "safety.yaml")
    tones = [b.get("tone") for _, b in blocks_of(safety) if b.get("kind") == "callout"]
    assert "call-us" in tones, "the safety topic needs a 'call-us' callout (when to call us)"
    assert "urgent" in tones, "the safety topic needs an 'urgent' callout (when to get help now)"
    unmarked: list[str] = []
    for path in content_files():
        data = load(path)
        if not isinstance(data, dict):
            continue
        for where, block in blocks_of(data):
            if (
                block.get("kind") == "callout"
                and block.get("tone") in {"call-us", "urgent"}
                and block.get("general_guidance") is not True
            ):
                unmarked.append(f"{path.relative_to(ROOT)}: {where} ({block.get('title')})")
        for s, section in enumerate(data.get("sections") or []):
            if section["title"].startswith("What "):  # "What is <condition>?": general advice
                for i, block in enumerate(section["blocks"]):
                    if block.get("general_guidance") is not True:
                        unmarked.append(f"{path.relative_to(ROOT)}: sections[{s}].blocks[{i}]")
    assert not unmarked, (
        "these blocks are general guidance, not from the article; mark them "
        "'general_guidance: true':\n" + "\n".join(unmarked)
    )


# --------------------------------------------------------------------------- built PDFs


@pytest.fixture(scope="module")
def pdf_texts(default_library: list[Path]) -> dict[str, str]:
    """Read every brochure of the shared build; return {file name: normalised text}."""
    from pypdf import PdfReader

    texts: dict[str, str] = {}
    for pdf in default_library:
        reader = PdfReader(pdf)
        raw = "\n".join(page.extract_text() or "" for page in reader.pages)
        texts[Path(pdf).name] = normalise(raw)
    return texts


@pytest.mark.slow
def test_every_article_fact_appears_in_a_built_pdf(pdf_texts: dict[str, str]) -> None:
    facts = load(FACTS)
    assert isinstance(facts, list) and facts, f"{FACTS} holds no facts"
    unhyphenated = {name: text.replace("-", "") for name, text in pdf_texts.items()}
    missing: list[str] = []
    for entry in facts:
        phrases = entry["any_of"]
        if not any(
            found(phrase, text, unhyphenated[name])
            for name, text in pdf_texts.items()
            for phrase in phrases
        ):
            missing.append(f"- {entry['fact']}: none of {phrases}")
    assert not missing, (
        f"{len(missing)} of {len(facts)} article facts appear in no built "
        "PDF:\n" + "\n".join(missing)
    )
