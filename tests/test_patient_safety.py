"""What a patient reads about safety, in every built handout, tri-fold and booklet.

The default catalogue is built once per test run (the ``catalogue`` fixture, shared
with the content-library tests) and every test reads back the letter PDFs of the 14
conditions: the "Before your first session" checklist, the two tiers of risk, the
urgent box, the emergency number and after-hours line, each condition's own red flags,
what the chart captions and bar words say, that no heading or chart is printed twice, and
the poster's line on risks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
import yaml
from pypdf import PdfReader
from pypdf.generic import Destination

ROOT = Path(__file__).resolve().parents[1]
CONDITIONS = sorted(p.stem for p in (ROOT / "handouts" / "conditions").glob("*.yaml")
                    if p.name.count(".") == 1)
LAYOUTS = ("handout", "trifold", "booklet")


@dataclass(frozen=True)
class Pdf:
    """One built PDF as a reader gets it."""

    path: Path
    pages: list[str]  # each page's text, whitespace collapsed
    headings: list[tuple[int, str]]  # (level, title) from the PDF's outline
    charts: list[str]  # the alternative text of every bar chart

    @property
    def text(self) -> str:
        return " ".join(self.pages)


def _flat(raw: str) -> str:
    raw = raw.replace("\u00ad", "").replace("\u2019", "'").replace("\u2013", "-")
    raw = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", raw)  # a word hyphenated at a line end
    return re.sub(r"\s+", " ", raw).strip()


def _outline(items: list[Destination | list], level: int = 1) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, list):
            found.extend(_outline(item, level + 1))
        else:
            found.append((level, str(item.title)))
    return found


def _charts(path: Path) -> list[str]:
    found: list[str] = []

    def walk(node: dict) -> None:
        alt = node.get("alt_text") or ""
        if node.get("type") == "Figure" and alt.startswith("Bar chart"):
            found.append(alt)
        for child in node.get("children") or []:
            walk(child)

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for node in page.structure_tree:
                walk(node)
    return found


def read_pdf(path: Path) -> Pdf:
    """Read one PDF as a reader gets it (run in the catalogue's worker processes)."""
    reader = PdfReader(path)
    return Pdf(path, [_flat(p.extract_text() or "") for p in reader.pages],
               _outline(reader.outline), _charts(path))


@pytest.fixture(scope="module")
def pdfs(catalogue) -> dict[tuple[str, str], Pdf]:
    """Read back the letter handout, tri-fold, booklet and poster of every condition."""
    wanted = [p for lay in (*LAYOUTS, "poster") for p in catalogue.select(layout=lay,
                                                                          paper="letter")]
    built = {tuple(name.split(".")[:2]): pdf
             for name, pdf in catalogue.map(read_pdf, wanted).items()}
    assert sorted(built) == sorted((c, lay) for c in CONDITIONS for lay in (*LAYOUTS, "poster"))
    return built  # type: ignore[return-value]


def condition_data(condition: str) -> dict:
    return yaml.safe_load((ROOT / "handouts" / "conditions" / f"{condition}.yaml").read_text())


ALL = [(c, lay) for c in CONDITIONS for lay in LAYOUTS]
IDS = [f"{c}.{lay}" for c, lay in ALL]

CHECKLIST = [
    "Before your first session",
    "You can ask us to stop at any time.",
    "Tell us before needling if you:",
    "take blood thinners, or have a bleeding problem",
    "are pregnant, or may be pregnant",
    "have a pacemaker or another device inside your body",
    "had surgery not long ago, or have a metal implant near the area",
    "have lymphoedema (swelling from poor lymph flow), or had lymph nodes taken out",
    "have an infection, a fever, or a skin problem where we would put the needles",
    "have diabetes, or a weak immune system",
    "have a lung disease",
    "are afraid of needles, or have fainted during a shot or a blood test",
]
URGENT_BOX = [
    "Needles in your chest, upper back, shoulders or neck can, in rare cases, cause a "
    "collapsed lung.",
    "are short of breath",
    "have sharp chest pain that is worse when you breathe in",
    "This can start hours later, even a day later.",
]
EMERGENCY = "In an emergency, call 911 (ambulance)."
AFTER_HOURS = "When we are closed: Call your family doctor, or go to an urgent care clinic."


@pytest.mark.parametrize(("condition", "layout"), ALL, ids=IDS)
def test_checklist_urgent_box_and_numbers_in_every_brochure(pdfs, condition: str,
                                                            layout: str) -> None:
    text = pdfs[condition, layout].text
    missing = [phrase for phrase in [*CHECKLIST, *URGENT_BOX, AFTER_HOURS] if phrase not in text]
    assert not missing, missing
    # the when-to-call box, the needling urgent box and the condition's red flags
    assert text.count(EMERGENCY) == 3


@pytest.mark.parametrize(("condition", "layout"), ALL, ids=IDS)
def test_each_condition_prints_its_own_urgent_red_flags(pdfs, condition: str,
                                                        layout: str) -> None:
    urgent = [blk for section in condition_data(condition)["sections"]
              for blk in section["blocks"] if blk.get("tone") == "urgent"]
    assert len(urgent) == 1 and urgent[0]["general_guidance"] is True
    text = pdfs[condition, layout].text
    assert urgent[0]["title"] in text
    first = _flat(urgent[0]["text"]).split(". ")[0].split(":")[0]
    assert first in text, first


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("layout", ["handout", "booklet"])
def test_risks_come_in_two_tiers_with_what_to_do(pdfs, condition: str, layout: str) -> None:
    text = pdfs[condition, layout].text
    common, serious = text.index("Common and mild side effects"), text.index(
        "Rare but serious risks")
    assert common < serious
    for risk in ("Soreness where a needle went in", "Bruising", "Tiredness (fatigue)",
                 "Bleeding: only a small amount"):
        assert common < text.index(risk) < serious, risk
    for risk, what_to_do in (
            ("Fainting", "We will stop and help you lie down."),
            ("Infection", "Call us or your doctor the same day."),
            ("Nerve irritation", "We will check it."),
            ("Collapsed lung (pneumothorax)", "Get help right away")):
        assert serious < text.index(risk) < text.index(what_to_do, serious), risk


FRACTION_OF_PEOPLE = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|\d+) (in|out of) "
    r"(two|three|four|five|ten|\d+)\b", re.IGNORECASE)


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("layout", ["handout", "booklet"])
def test_captions_say_what_the_numbers_are(pdfs, condition: str, layout: str) -> None:
    pdf = pdfs[condition, layout]
    caption = re.compile(r"The share of (improvement in \w+( \w+)?|recovery time saved) that a "
                         r"clinic's web article reports\. Not a research study, and not a "
                         r"promise\. Source: Introduction to IMS Therapy\.")
    assert len(caption.findall(pdf.text)) == len(pdf.charts) > 0
    assert not FRACTION_OF_PEOPLE.search(pdf.text), FRACTION_OF_PEOPLE.search(pdf.text)
    # one style for fractions in words: half, thirds, quarters, fifths, tenths
    words = [w for chart in pdf.charts for w in re.findall(r"\(([^)]*)\)", chart)]
    assert words
    for phrase in words:
        assert re.search(r"\b(half|thirds?|quarters?|fifths|tenths)\b", phrase), phrase
        assert re.search(r"pain|movement|function|symptom|recovery", phrase), phrase


@pytest.mark.parametrize("condition", CONDITIONS)
def test_sources_block_tells_article_figures_from_general_guidance(pdfs, condition: str) -> None:
    text = pdfs[condition, "handout"].text
    assert ("The figures and facts from an article: \u201cIntroduction to IMS Therapy\u201d, a "
            "physiotherapy clinic's website, read on 20 November 2026. A web article, not a "
            "research study.") in text.replace("\n", " ")
    assert "General guidance from our physiotherapists, not from the article:" in text
    assert "Our clinic's article" not in text
    assert "http" not in text.split("The figures and facts from an article")[1][:200]
    back = pdfs[condition, "trifold"].pages[0]
    assert "Figures from \u201cIntroduction to IMS Therapy\u201d" in back
    assert "Other advice is general guidance from our physiotherapists." in back


@pytest.mark.parametrize(("condition", "layout"), ALL, ids=IDS)
def test_no_heading_or_chart_is_printed_twice(pdfs, condition: str, layout: str) -> None:
    pdf = pdfs[condition, layout]
    h2 = [title for level, title in pdf.headings if level == 2]
    assert h2 and [t for t, n in Counter(h2).items() if n > 1] == []
    assert [c for c, n in Counter(pdf.charts).items() if n > 1] == []
    rows = [row for chart in pdf.charts for row in chart.split(". ", 1)[1].split("; ")]
    assert [r for r, n in Counter(rows).items() if n > 1] == []


def test_every_trifold_inside_is_its_own(pdfs) -> None:
    insides = {c: pdfs[c, "trifold"].pages[1] for c in CONDITIONS}
    assert len(set(insides.values())) == len(CONDITIONS)
    for condition, inside in insides.items():
        data = condition_data(condition)
        first = data["sections"][0]
        assert first["title"] in inside, condition  # its own explanation
        charts = [blk for s in data["sections"] for blk in s["blocks"]
                  if blk["kind"] == "figures"]
        # its figures: inside, or on the flap when that levels the inside panels
        assert charts[0]["items"][0]["label"] in pdfs[condition, "trifold"].text, \
            condition
        urgent = [blk for blk in first["blocks"] if blk.get("tone") == "urgent"]
        assert urgent[0]["title"] in inside, condition  # its red flags


@pytest.mark.parametrize("condition", CONDITIONS)
def test_poster_has_a_line_on_risks_and_points_to_the_handout(pdfs, condition: str) -> None:
    text = pdfs[condition, "poster"].text
    assert ("Dry needling has rare but serious risks. Ask us for the handout on risks "
            "and who should not have dry needling.") in text
    assert "a clinic's web article: not a research study, and not a promise." in text
