"""The page as a print designer checks it, measured on the PDFs of every default brochure.

Every default brochure is built once for this module (one shared build, in parallel);
each test reads what it needs back from those files with pdfplumber, renders pages with
pypdfium2 where it needs pixels, and decodes QR codes with zbarimg.
"""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from tests.conftest import CONDITION, ROOT
from tests.geometry import (
    blank_bands,
    lines,
    text_area,
    trifold_free_space,
)
from tests.pageflow import PageFlow, booking_qr, flow

import brochure
from brochure.cli import main
from brochure.content.bodymap import REGIONS, alt_text, known_regions
from brochure.content.load import load_yaml

CONDITIONS = sorted(p.stem for p in (ROOT / "handouts/conditions").glob("*.yaml")
                    if p.name.count(".") == 1)
PAPERS = ("letter", "a4")
LAYOUTS = ("handout", "booklet", "poster", "trifold", "large-print")
PHONE = "(555) 010-0199"
BOOKING = "https://www.example-physio.test/book"


@pytest.fixture(scope="module")
def built(catalogue) -> dict[tuple[str, str, str], Path]:
    """Every default English brochure in every layout and paper (the session's build)."""
    found = {(c, lay, paper): catalogue.out / f"{c}.{lay}.{paper}.en.pdf"
             for c in CONDITIONS for lay in LAYOUTS for paper in PAPERS}
    assert all(path.is_file() for path in found.values())
    return found


def regions_of(condition: str) -> list[str]:
    data = load_yaml(ROOT / f"handouts/conditions/{condition}.yaml").data
    return list(data.get("body_regions") or [])


def struct_nodes(page) -> list[dict]:
    found = []

    def walk(node: dict) -> None:
        found.append(node)
        for child in node.get("children") or []:
            walk(child)

    for node in page.structure_tree:
        walk(node)
    return found


# --- body maps ------------------------------------------------------------------------


def test_every_default_condition_names_its_body_regions() -> None:
    for condition in CONDITIONS:
        regions = regions_of(condition)
        assert regions, condition
        assert set(regions) <= set(REGIONS), condition


def test_alt_text_is_generated_from_the_regions() -> None:
    assert alt_text(["lower-back"]) == (
        "Outline of a body, seen from the front and the back, with the lower back marked.")
    assert alt_text(["neck", "shoulders", "wrists-hands"]) == (
        "Outline of a body, seen from the front and the back, with the neck, the shoulders, "
        "and the wrists and hands marked.")


def test_an_unknown_body_region_is_one_line_with_a_suggestion(make_project) -> None:
    condition = CONDITION.replace("topics: [intro, safety]",
                                  "body_regions: [lower-bak, knees, knees]\n"
                                  "topics: [intro, safety]")
    make_project({"handouts/conditions/back-pain.yaml": condition})
    result = CliRunner().invoke(main, ["build"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == (
        "handouts/conditions/back-pain.yaml:10:16: body_regions[0]: unknown body region "
        "'lower-bak' (did you mean 'lower-back'?); use one of: "
        f"{', '.join(known_regions())}\n"
        "handouts/conditions/back-pain.yaml:10:34: body_regions[2]: body region 'knees' is "
        "listed twice; keep one\n"
        "2 problems found in the content\n")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_cover_has_the_body_map_with_its_alt_text_in_the_tagged_pdf(built,
                                                                         layout) -> None:
    for condition in CONDITIONS:
        for paper in PAPERS:
            path = built[condition, layout, paper]
            with pdfplumber.open(path) as pdf:
                alts = [n.get("alt_text") for n in struct_nodes(pdf.pages[0])
                        if n.get("type") == "Figure"]
            assert alt_text(regions_of(condition)) in alts, (path.name, alts)


def test_the_body_map_marks_the_regions_in_the_brand_colour(built) -> None:
    brand = (0x1D / 255, 0x5F / 255, 0x8A / 255)
    with pdfplumber.open(built["back-pain", "handout", "letter"]) as pdf:
        page = pdf.pages[0]
        marks = [c for c in page.curves if c.get("fill") and
                 all(abs(a - b) < 0.01 for a, b in zip(c["non_stroking_color"], brand,
                                                       strict=True))]
    assert marks  # the lower back, on the back view


# --- covers ---------------------------------------------------------------------------


@pytest.mark.parametrize(("layout", "size"), [("handout", 30), ("booklet", 24),
                                              ("trifold", 28)])
def test_the_cover_title_is_reversed_out_of_a_colour_block(built, layout, size) -> None:
    for paper in PAPERS:
        with pdfplumber.open(built["sciatica", layout, paper]) as pdf:
            page = pdf.pages[0]
            title = [c for c in page.chars if abs(c["size"] - size) < 0.1]
            assert "".join(c["text"] for c in title).replace(" ", "") == "Dryneedlingforsciatica"
            assert {tuple(c["non_stroking_color"]) for c in title} == {(1.0, 1.0, 1.0)}
            block = [r for r in (*page.rects, *page.curves) if r.get("fill")
                     and r["x0"] <= title[0]["x0"] and r["bottom"] >= title[-1]["bottom"]
                     and r["top"] <= title[0]["top"]
                     and tuple(r["non_stroking_color"]) != (1.0, 1.0, 1.0)]
            assert block, paper
            words = page.extract_text()
            assert "The one thing to remember" in words
            assert "Example Physio & Dry Needling Clinic" in words
            figures = [n.get("alt_text") for n in struct_nodes(page) if n.get("type") == "Figure"]
            assert "Example Physio logo" in figures  # the logo, drawn as vector art


def test_init_ships_the_example_logo_with_the_new_clinic_name(tmp_path) -> None:
    brochure.init(target=tmp_path / "new", name="Riverside Physio")
    assert (tmp_path / "new/assets/logo.svg").read_bytes() == (ROOT / "assets/logo.svg"
                                                               ).read_bytes()
    clinic = load_yaml(tmp_path / "new/handouts/clinic.yaml").data
    assert clinic["logo"] == {"file": "assets/logo.svg", "alt": "Riverside Physio logo"}


# --- the handout's measure and pages that flow ------------------------------------------


FLOWING = ("handout", "booklet", "large-print")


@pytest.fixture(scope="module")
def flows(catalogue, built) -> dict[tuple[str, str, str], list[PageFlow]]:
    """Each page's flow in every English brochure whose text flows over pages.

    Read once per PDF for the four flow tests, in parallel (see tests/pageflow.py).
    """
    keys = [(c, lay, paper) for c in CONDITIONS for lay in FLOWING for paper in PAPERS]
    read = catalogue.map(flow, [built[key] for key in keys])
    return {key: read[built[key].name] for key in keys}


def test_handout_body_text_has_45_to_75_characters_a_line(flows) -> None:
    for condition in CONDITIONS:
        for paper in PAPERS:
            pages = flows[condition, "handout", paper]
            counts = [n for page in pages for n in page.chars]
            name = f"{condition}.handout.{paper}"
            assert max(counts) <= 75, name
            assert 55 <= statistics.median(counts) <= 70, name
            within = [n for n in counts if 45 <= n <= 75]
            assert len(within) >= 0.9 * len(counts), (name, sorted(counts)[:10])


def flowing_pages(pages: list[PageFlow], layout: str) -> list[PageFlow]:
    """Return every page the text flows over, but its last.

    A booklet's flow runs from the page after its cover to the page before its notes
    pages and back cover; those are designed pages of their own.
    """
    if layout == "booklet":
        end = next((i for i, page in enumerate(pages) if "My notes and questions" in page.text),
                   len(pages) - 1)  # the first notes page; any more follow it
        pages = pages[1:end]
    return pages[:-1]


# Text, lists, tables (between rows), callouts and the closing part all split, and a
# chart splits between its bars on the small booklet page and in large print, so no page
# but the last ends early by more than a quarter of its text area.
BLANK_LIMIT = 0.25


@pytest.mark.parametrize("layout", FLOWING)
def test_no_page_but_the_last_has_a_large_blank_band(flows, layout) -> None:
    bad = [f"{condition}.{layout}.{paper} p{page.number}: {page.blank:.0%}"
           for condition in CONDITIONS for paper in PAPERS
           for page in flowing_pages(flows[condition, layout, paper], layout)
           if page.blank > BLANK_LIMIT]
    assert bad == []


@pytest.mark.parametrize("layout", FLOWING)
def test_no_heading_is_stranded_at_the_foot_of_a_page(flows, layout) -> None:
    bad = [f"{condition}.{layout}.{paper} p{page.number}: {heading}"
           for condition in CONDITIONS for paper in PAPERS
           for page in flows[condition, layout, paper] for heading in page.stranded]
    assert bad == []


def lead_ins() -> list[str]:
    """Return every list lead-in of the default content: step and checklist intros and
    paragraphs that end with a colon."""
    found = []
    for path in sorted((ROOT / "handouts").rglob("*.yaml")):
        for match in re.finditer(r"^\s*intro: (.+)$", path.read_text("utf-8"), re.M):
            found.append(match[1].strip())
    return [text for text in found if text]


@pytest.mark.parametrize("layout", FLOWING)
def test_a_list_lead_in_never_ends_a_page(flows, layout) -> None:
    intros = lead_ins()
    assert intros
    bad = []
    for condition in CONDITIONS:
        for paper in PAPERS:
            for page in flows[condition, layout, paper][:-1]:
                last = page.last
                if last is None:
                    continue
                if last.endswith(":") or (len(last) > 10 and
                                          any(intro.endswith(last) for intro in intros)):
                    bad.append(f"{condition}.{layout}.{paper} p{page.number}: {last}")
    assert bad == []


# --- hierarchy and callouts --------------------------------------------------------------


def test_headings_lead_and_body_are_told_apart_and_table_cells_are_regular(built) -> None:
    with pdfplumber.open(built["back-pain", "handout", "letter"]) as pdf:
        found = [ln for page in pdf.pages for ln in lines(page, text_area(page, "handout"))]
    h2 = {(round(ln.size, 1), ln.bold) for ln in found if "H2" in ln.tags}
    h3 = {(round(ln.size, 1), ln.bold) for ln in found if "H3" in ln.tags}
    assert h2 == {(19.0, True)} and h3 == {(14.0, True)}
    lead = [ln for ln in found if ln.text.startswith("Dry needling uses very thin needles")]
    assert lead and round(lead[0].size, 1) == 14.0 and not lead[0].bold
    cells = [ln for ln in found if {"TD", "TH"} & set(ln.tags) and "Table" in ln.tags]
    assert cells
    for ln in cells:  # bold in the header row only, the rows' first cells too are regular
        assert ln.bold == ("THead" in ln.tags), ln.text


def greyscale_box(path: Path, page: int, words: str) -> float:
    """Return the mean grey (0 black, 255 white) of the callout whose title is ``words``,
    across the band of its title line, the page printed in black and white."""
    import pypdfium2

    with pdfplumber.open(path) as pdf:
        pg = pdf.pages[page]
        found = pg.search(words)
        assert found, words
        top, bottom = found[0]["top"], found[0]["bottom"]
        area = text_area(pg, "handout")
        left, right = area.left, area.side or area.right
    scale = 100 / 72
    image = pypdfium2.PdfDocument(str(path))[page].render(scale=scale, grayscale=True).to_pil()
    crop = image.convert("L").crop((int(left * scale), int((top - 6) * scale),
                                    int(right * scale), int((bottom + 6) * scale)))
    from PIL import ImageStat

    return float(ImageStat.Stat(crop).mean[0])


def test_the_urgent_callout_looks_different_from_when_to_call_in_greyscale(built) -> None:
    path = built["back-pain", "handout", "letter"]
    with pdfplumber.open(path) as pdf:
        pages = {title: next(i for i, p in enumerate(pdf.pages) if p.search(title))
                 for title in ("When do I need help right away?", "When should I call you?")}
    urgent = greyscale_box(path, pages["When do I need help right away?"],
                           "When do I need help right away?")
    call_us = greyscale_box(path, pages["When should I call you?"], "When should I call you?")
    assert call_us - urgent > 80, (urgent, call_us)


# --- poster -----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS)
def test_the_poster_is_one_message_from_two_metres(catalogue, built, paper) -> None:
    codes = catalogue.map(booking_qr, [built[c, "poster", paper] for c in CONDITIONS])
    for condition in CONDITIONS:
        path = built[condition, "poster", paper]
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            words = page.extract_words(extra_attrs=["size"])
            sizes = sorted({round(w["size"]) for w in words}, reverse=True)
            by_size = {s: " ".join(w["text"] for w in words if round(w["size"]) == s)
                       for s in sizes}
            text = page.extract_text()
            area = text_area(page, "poster")
            bands = [(b - t) / float(page.height) for t, b in blank_bands(page, area)]
        content = load_yaml(ROOT / f"handouts/conditions/{condition}.yaml").data
        assert by_size[sizes[0]] == content["title"], path.name
        # the one thing to remember is the largest text after the title
        assert by_size[sizes[1]] == " ".join(content["key_message"].split()), path.name
        assert f"Call {PHONE}" in text
        # the chart's title says what the bars measure
        assert re.search(r"How much [^?]+\?", text), (path.name, text)
        assert max(bands) <= 0.10, (path.name, max(bands))
        assert BOOKING in codes[path.name], path.name


def test_the_poster_chart_has_one_bar_per_result(built) -> None:
    text = built["fibromyalgia", "poster", "letter"]
    with pdfplumber.open(text) as pdf:
        got = pdf.pages[0].extract_text()
    assert "Fibromyalgia, given as a range" in got
    assert "given as a single number" not in got


# --- booklet ----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS)
def test_the_booklet_cover_has_no_footer_and_the_back_cover_has_the_contact(catalogue, built,
                                                                           paper) -> None:
    codes = catalogue.map(booking_qr, [built[c, "booklet", paper] for c in CONDITIONS])
    for condition in CONDITIONS:
        path = built[condition, "booklet", paper]
        pages = [p.extract_text() or "" for p in PdfReader(path).pages]
        count = len(pages)
        assert count % 4 == 0, path.name  # the imposed sheets need no blank padding
        assert "Page " not in pages[0] and "Page " not in pages[-1], path.name
        for number, text in enumerate(pages[1:-1], start=2):
            assert f"Page {number} of {count}" in text, (path.name, number)
        # Padding (notes pages) only just before the back cover, never between content pages.
        notes = [n for n, text in enumerate(pages)
                 if "My notes and questions" in text or "More notes and questions" in text]
        assert notes == list(range(count - 1 - len(notes), count - 1)), (path.name, notes)
        assert f"Call {PHONE}" in pages[-1] and "www.example-physio.test" in pages[-1]
        assert BOOKING in codes[path.name], path.name  # on the back cover


# --- tri-fold ---------------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS)
def test_trifold_inside_panels_end_level_and_the_flap_is_used(built, paper) -> None:
    for condition in CONDITIONS:
        path = built[condition, "trifold", paper]
        with pdfplumber.open(path) as pdf:
            free = trifold_free_space(pdf)
        inside = [free[f"inside-{n}"] for n in (1, 2, 3)]
        assert max(inside) - min(inside) <= 20, (path.name, free)  # level within 20 mm
        assert free["flap"] <= 30, (path.name, free)  # the flap is used, not left empty


# --- size and checks ------------------------------------------------------------------


def test_handouts_stay_small(built) -> None:
    sizes = {c: built[c, "handout", "letter"].stat().st_size for c in CONDITIONS}
    assert max(sizes.values()) <= 150 * 1024, sizes


def test_check_strict_passes_with_the_body_map_and_covers() -> None:
    assert shutil.which("zbarimg")
    result = CliRunner().invoke(main, ["check", "fibromyalgia", "--strict",
                                       "--lang", "en", "--project", str(ROOT)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_body_map_labels_keep_the_large_prints_smallest_size(flows) -> None:
    for condition in CONDITIONS:
        for paper in PAPERS:  # the pages were read once for the flow tests
            pages = flows[condition, "large-print", paper]
            assert min(page.smallest for page in pages) >= 16 - 0.05, (condition, paper)


def test_the_body_map_labels_keep_the_posters_smallest_size(built) -> None:
    for condition in CONDITIONS:
        for paper in PAPERS:
            path = built[condition, "poster", paper]
            with pdfplumber.open(path) as pdf:
                sizes = [c["size"] for page in pdf.pages for c in page.chars
                         if c["text"].strip()]
            assert min(sizes) >= 24 - 0.05, path.name
