"""Print layouts, checked by reading the geometry back from the PDFs a build writes."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from tests.conftest import CONDITION, ROOT
from tests.pdfread import fonts, text

import brochure
from brochure.cli import main
from brochure.errors import BuildFailed, UsageError
from brochure.render.impose import impose, sheet_sides

MM = 72 / 25.4
# Sheets in PDF points, portrait, from their definitions (ISO 216 and US sizes).
LETTER, A4 = (612, 792), (210 * MM, 297 * MM)
TABLOID, A3 = (792, 1224), (297 * MM, 420 * MM)
HALF_LETTER, A5 = (396, 612), (148 * MM, 210 * MM)


def landscape(size: tuple[float, float]) -> tuple[float, float]:
    return size[1], size[0]


EXPECTED = {  # (layout, paper) -> page size of the brochure (and of its imposed copy)
    ("handout", "letter"): LETTER, ("handout", "a4"): A4,
    ("trifold", "letter"): landscape(LETTER), ("trifold", "a4"): landscape(A4),
    ("poster", "letter"): TABLOID, ("poster", "a4"): A3,
    ("booklet", "letter"): HALF_LETTER, ("booklet", "a4"): A5,
    ("large-print", "letter"): LETTER, ("large-print", "a4"): A4,
}
IMPOSED = {"letter": landscape(LETTER), "a4": landscape(A4)}


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(path).pages]


def same_size(got: tuple[float, float], want: tuple[float, float]) -> bool:
    return math.isclose(got[0], want[0], abs_tol=0.05) and \
        math.isclose(got[1], want[1], abs_tol=0.05)


def char_sizes(path: Path) -> list[float]:
    with pdfplumber.open(path) as pdf:
        return [ch["size"] for page in pdf.pages for ch in page.chars if ch["text"].strip()]


def page_words(path: Path, page: int) -> list[dict]:
    with pdfplumber.open(path) as pdf:
        return pdf.pages[page].extract_words()


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# --- every layout on both papers ------------------------------------------------------


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_layout_has_its_sheet_size_orientation_and_page_count(make_project,
                                                                     paper) -> None:
    root = make_project()
    result = brochure.build(project=root, layout="all", paper=paper)
    names = sorted(p.name for p in result.outputs)
    assert names == sorted([f"back-pain.{lay}.{paper}.en.pdf" for lay in
                            ("handout", "trifold", "poster", "booklet", "large-print")]
                           + [f"back-pain.booklet.{paper}.en.imposed.pdf"])
    assert result.brochures == 5
    by_layout = {p.name.split(".")[1] + (".imposed" if "imposed" in p.name else ""): p
                 for p in result.outputs}
    for lay in ("handout", "trifold", "poster", "booklet", "large-print"):
        sizes = page_sizes(by_layout[lay])
        want = EXPECTED[lay, paper]
        assert all(same_size(s, want) for s in sizes), (lay, sizes, want)
        portrait = lay != "trifold"
        assert all((h > w) == portrait for w, h in sizes), lay
    assert len(page_sizes(by_layout["trifold"])) == 2
    assert len(page_sizes(by_layout["poster"])) == 1
    booklet_pages = len(page_sizes(by_layout["booklet"]))
    imposed = page_sizes(by_layout["booklet.imposed"])
    assert len(imposed) == 2 * math.ceil(booklet_pages / 4)
    assert all(same_size(s, IMPOSED[paper]) for s in imposed)


def test_the_default_content_fits_every_fixed_layout_on_both_papers(catalogue) -> None:
    # The tri-fold and the poster fail the build when anything overflows, so building
    # every condition is the check that the shipped content fits.
    # Spanish and French are built neither as tri-folds nor as posters by default
    # (defaults.layouts_by_language): their text does not fit those fixed panels.
    conditions = len([p for p in (ROOT / "handouts/conditions").glob("*.yaml")
                      if p.name.count(".") == 1])
    for paper in ("letter", "a4"):
        for lang, layout, pages in (("en", "trifold", 2), ("en", "poster", 1)):
            built = catalogue.select(layout=layout, paper=paper, language=lang)
            assert len(built) == conditions, (lang, layout, paper)
            assert all(len(page_sizes(path)) == pages for path in built)
        for lang in ("es", "fr"):  # defaults.layouts_by_language leaves both out
            assert catalogue.select(layout="trifold", paper=paper, language=lang) == []
            assert catalogue.select(layout="poster", paper=paper, language=lang) == []


def test_every_layout_keeps_tags_language_metadata_and_the_packaged_font(make_project) -> None:
    root = make_project()
    result = brochure.build(project=root, layout="all")
    for path in result.outputs:
        reader = PdfReader(path)
        assert reader.metadata is not None
        assert reader.metadata.title == "Dry needling for back pain", path.name
        assert reader.metadata.author == "Test Clinic", path.name
        assert reader.trailer["/Root"]["/Lang"] == "en", path.name
        used = fonts(path)
        assert used and all("Atkinson-Hyperlegible" in name and embedded
                            for name, embedded in used), (path.name, used)
        if "imposed" not in path.name:  # imposition keeps the metadata, not the tags
            assert "/StructTreeRoot" in reader.trailer["/Root"], path.name


def test_builds_are_byte_for_byte_reproducible(make_project) -> None:
    root = make_project()
    first = brochure.build(project=root, layout=["trifold", "booklet"], out=root / "one")
    second = brochure.build(project=root, layout=["trifold", "booklet"], out=root / "two")
    assert [p.name for p in first.outputs] == [p.name for p in second.outputs]
    for a, b in zip(first.outputs, second.outputs, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_footer_on_every_page_of_the_layouts_that_have_one(make_project) -> None:
    root = make_project()
    result = brochure.build(project=root, layout=["booklet", "large-print", "trifold",
                                                  "poster"])
    for path in result.outputs:
        if "imposed" in path.name:
            continue
        pages = PdfReader(path).pages
        for number, page in enumerate(pages, start=1):
            footer = f"Page {number} of {len(pages)}" in (page.extract_text() or "")
            # The booklet's front and back covers carry no running footer.
            covers = ".booklet." in path.name and number in (1, len(pages))
            want = any(f".{lay}." in path.name for lay in ("booklet", "large-print"))
            assert footer == (want and not covers), (path.name, number)


def test_layout_accepts_one_id_a_list_or_all_and_refuses_an_unknown_one(make_project) -> None:
    root = make_project()
    one = brochure.build(project=root, layout="poster")
    assert [p.name for p in one.outputs] == ["back-pain.poster.letter.en.pdf"]
    with pytest.raises(UsageError, match=r"unknown layout 'trifld' \(did you mean 'trifold'\?\)"):
        brochure.build(project=root, layout=["trifld"])
    result = run("build", "--layout", "tri-fold")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown layout 'tri-fold' (did you mean 'trifold'?)")


def test_cli_builds_each_layout_asked_for(make_project) -> None:
    make_project()
    result = run("build", "--layout", "trifold", "--layout", "booklet", "--paper", "a4",
                 "--jobs", "1")
    assert result.exit_code == 0, result.output
    lines = [re.sub(r"\d+\.\d s", "T s", line) for line in result.stdout.splitlines()]
    assert lines == [
        "[1/2] built back-pain.booklet.a4.en.pdf (T s)",
        "[2/2] built back-pain.trifold.a4.en.pdf (T s)",
        "2 built, 0 unchanged, 0 failed in T s",
    ]
    assert sorted(p.name for p in Path("dist").iterdir()) == [
        "back-pain.booklet.a4.en.imposed.pdf", "back-pain.booklet.a4.en.pdf",
        "back-pain.trifold.a4.en.pdf", "manifest.json"]


# --- tri-fold -------------------------------------------------------------------------

# A letter fold: the panel that folds in is 2.5 mm narrower, so the sheet closes flat.
NARROWER = 2.5 * MM
EDGE, GUTTER = 11 * MM, 7 * MM  # text inset from the sheet's edge and from each fold


def panels(width: float, page: int) -> dict[str, tuple[float, float]]:
    """Return each panel's horizontal range; the narrow one is left outside, right inside."""
    wide = (width + NARROWER) / 3
    narrow = wide - NARROWER
    if page == 0:
        return {"flap": (0, narrow), "back": (narrow, narrow + wide),
                "cover": (narrow + wide, width)}
    return {"inside-1": (0, wide), "inside-2": (wide, 2 * wide),
            "inside-3": (2 * wide, width)}


def panel_of(word: dict, ranges: dict[str, tuple[float, float]]) -> str:
    found = [name for name, (left, right) in ranges.items()
             if word["x0"] >= left and word["x1"] <= right]
    where = f"{word['x0']:.1f}-{word['x1']:.1f}"
    assert len(found) == 1, f"'{word['text']}' at {where} straddles a fold"
    return found[0]


@pytest.fixture(scope="module")
def real_trifolds(catalogue) -> dict[str, Path]:
    return {paper: catalogue.select(layout="trifold", paper=paper, condition="back-pain")[0]
            for paper in ("letter", "a4")}


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_trifold_panels_are_in_letter_fold_order(real_trifolds, paper) -> None:
    path = real_trifolds[paper]
    width = landscape(LETTER if paper == "letter" else A4)[0]
    outside, inside = page_words(path, 0), page_words(path, 1)
    out_ranges, in_ranges = panels(width, 0), panels(width, 1)
    # Every word sits inside one panel: nothing crosses a fold.
    by_panel: dict[str, list[dict]] = {}
    for page_words_, ranges in ((outside, out_ranges), (inside, in_ranges)):
        for word in page_words_:
            by_panel.setdefault(panel_of(word, ranges), []).append(word)
    text_of = {name: " ".join(w["text"] for w in words) for name, words in by_panel.items()}

    def where(phrase: str) -> list[str]:
        return [name for name, panel_text in text_of.items() if phrase in panel_text]

    # Outside: inside flap | back panel | front cover.
    assert where("Dry needling for back pain") == ["cover"]
    assert where("The one thing to remember") == ["cover"]
    assert where("Call (555) 010-0199") == ["back"]
    assert where("does not replace advice") == ["back"]
    # The flap takes the cards that level the inside panels (here the chart), then ruled
    # lines for the patient's questions.
    assert where("Chronic low back pain") == ["flap"]
    assert where("My questions for my next visit") == ["flap"]
    # Inside: three panels read left to right, opening with the condition's own card; the
    # long checklist runs on from the first panel into the second.
    assert where("What is back pain?") == ["inside-1"]
    assert where("When is back pain urgent?") == ["inside-1"]
    assert where("Is dry needling safe?") == ["inside-1"]
    assert where("Before your first session") == ["inside-1"]
    assert where("are afraid of needles") == ["inside-2"]
    assert where("When should I call you?") == ["inside-2"]
    assert where("When do I need help right away?") == ["inside-3"]
    assert where("What should I do afterwards?") == ["inside-3"]
    # The panel edges are where the fold puts them: the flap (outside left) and its back
    # (inside right) are the narrow panels; text starts a fixed inset from each edge, or
    # inside a callout's box or after a checklist's tick boxes when a panel holds only those.
    boxed = {"inside-2"}  # the rest of the checklist, then the when-to-call box
    for ranges in (out_ranges, in_ranges):
        for name, (left, _) in ranges.items():
            inset = EDGE if left == 0 else GUTTER
            start = min(w["x0"] for w in by_panel[name])
            if name in boxed:
                assert left + inset < start < left + inset + 15, (name, start, left + inset)
            else:
                assert math.isclose(start, left + inset, abs_tol=1.0), (name, start,
                                                                        left + inset)


def test_trifold_text_is_at_least_11_pt(real_trifolds) -> None:
    for path in real_trifolds.values():
        assert min(char_sizes(path)) >= 10.95


def test_trifold_holds_the_condensed_content(real_trifolds) -> None:
    got = text(real_trifolds["letter"])
    for phrase in ("Dry needling may ease back pain by helping tight, sore spots",  # key message
                   "Back pain is very common.",  # the condition's own explanation
                   "Dry needling uses very thin needles",  # the first topic's key message
                   "Chronic low back pain",  # the condition's chart
                   "Tell us before needling if you:",  # the contraindications checklist
                   "Avoid hard exercise and heavy work for at least 24 hours.",  # checklist
                   "Call us if:",  # the when-to-call callout
                   "In an emergency, call 911",  # the emergency number in the callouts
                   "www.example-physio.test", "hello@example-physio.test",
                   "100 Sample Street, Anytown", "It does not replace advice"):
        assert phrase in got, phrase


LONG = "Back pain is very common, and it can last for a long time. " * 30
OVERFLOWING = CONDITION.replace("text: Back pain is very common.", f"text: {LONG.strip()}")
TRIFOLD_OVERFLOW = ("handouts/conditions/back-pain.yaml:10:1: trifold panel 'inside-1' overflows "
                    "by 95 mm; shorten its content or leave out a topic (in this list or with "
                    "--topics)")
FAILED_ONE = "error: 1 of 1 brochure failed; fix the errors above and build again\n"


def test_trifold_overflow_fails_naming_the_panel_and_writes_nothing(make_project) -> None:
    root = make_project({"handouts/conditions/back-pain.yaml": OVERFLOWING})
    result = run("build", "--layout", "trifold")
    assert result.exit_code == 1
    assert re.fullmatch(r"\[1/1\] failed back-pain\.trifold\.letter\.en\.pdf \(\d+\.\d s\)\n",
                        result.stdout)
    assert result.stderr == (f"error: back-pain.trifold.letter.en.pdf: {TRIFOLD_OVERFLOW}\n"
                             + FAILED_ONE)
    assert not list(root.glob("dist/*.pdf"))
    with pytest.raises(BuildFailed) as caught:
        brochure.build(project=root, layout="trifold")
    assert caught.value.result.failed == [("back-pain.trifold.letter.en.pdf", TRIFOLD_OVERFLOW)]


def test_overflow_in_one_brochure_still_builds_the_others_and_reports_all(make_project) -> None:
    root = make_project({"handouts/conditions/back-pain.yaml": OVERFLOWING,
                         "handouts/conditions/neck-pain.yaml": CONDITION})
    result = run("build", "--layout", "trifold", "--layout", "handout")
    assert result.exit_code == 1
    assert result.stderr == (f"error: back-pain.trifold.letter.en.pdf: {TRIFOLD_OVERFLOW}\n"
                             "error: 1 of 4 brochures failed; the others were built; fix the "
                             "errors above and build again\n")
    assert sorted(p.name for p in root.glob("dist/*.pdf")) == [
        "back-pain.handout.letter.en.pdf", "neck-pain.handout.letter.en.pdf",
        "neck-pain.trifold.letter.en.pdf"]


# --- poster ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_posters(catalogue) -> dict[str, Path]:
    return {paper: catalogue.select(layout="poster", paper=paper, condition="fibromyalgia")[0]
            for paper in ("letter", "a4")}


def test_poster_is_readable_from_two_metres(real_posters) -> None:
    for path in real_posters.values():
        sizes = char_sizes(path)
        assert min(sizes) >= 23.95  # body, chart labels, source: 24 pt and up
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            headline = [w for w in page.extract_words(extra_attrs=["size"]) if w["size"] >= 60]
        assert " ".join(w["text"] for w in headline) == "Dry needling for fibromyalgia"
        got = text(path)
        assert "Call (555) 010-0199" in got
        assert "Bar chart" not in got  # the chart is drawn, its text equivalent is alt text
        assert re.search(r"40[-–]60%", got)


def test_poster_has_one_message_a_titled_chart_and_the_booking_code(real_posters) -> None:
    got = text(real_posters["letter"])
    assert "Dry needling may ease some of your pain" in got  # the one thing to remember
    assert "How much pain relief does the article report?" in got  # the chart's title
    assert "Scan to book" in got


def test_poster_never_runs_onto_a_second_page(make_project) -> None:
    long_key = "Dry needling may ease your back pain as part of your care. " * 12
    condition = CONDITION.replace(
        "key_message: Dry needling may ease your back pain as part of your care.",
        f"key_message: {long_key.strip()}")
    root = make_project({"handouts/conditions/back-pain.yaml": condition})
    result = run("build", "--layout", "poster")
    assert result.exit_code == 1
    assert re.fullmatch(r"error: back-pain\.poster\.letter\.en\.pdf: handouts/conditions/"
                        r"back-pain\.yaml:10:1: poster panel 'poster' overflows by \d+ mm; "
                        r"shorten its content or leave out a topic \(in this list or with "
                        r"--topics\)\n" + re.escape(FAILED_ONE), result.stderr)
    assert not list(root.glob("dist/*.pdf"))


# --- large print ----------------------------------------------------------------------


def test_large_print_is_17_pt_and_nothing_is_under_16_pt(make_project) -> None:
    root = make_project()
    path = brochure.build(project=root, layout="large-print").outputs[0]
    sizes = char_sizes(path)
    assert min(sizes) >= 15.95
    body, _ = Counter(round(s, 1) for s in sizes).most_common(1)[0]
    assert body == 17.0


def test_large_print_reuses_the_handout_template_with_its_own_stylesheet() -> None:
    from brochure.content.layouts import get_layout

    large, handout = get_layout("large-print"), get_layout("handout")
    assert large.template == handout.template
    assert large.stylesheet != handout.stylesheet


# --- booklet --------------------------------------------------------------------------


def numbered_pages(count: int) -> bytes:
    """Return a reading-order A5 PDF whose pages say their own number."""
    import weasyprint

    pages = "".join(f'<div style="break-after: page">Page {n}</div>' for n in range(1, count + 1))
    html = f"<style>@page {{ size: A5; margin: 20mm }}</style>{pages}"
    return weasyprint.HTML(string=html).write_pdf()


def sides(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """Return what each imposed sheet side shows left and right of the fold."""
    path = tmp_path / "imposed.pdf"
    path.write_bytes(pdf)
    shown = []
    with pdfplumber.open(path) as doc:
        for page in doc.pages:
            middle = page.width / 2
            words = page.extract_words()
            left = " ".join(w["text"] for w in words if w["x1"] <= middle)
            right = " ".join(w["text"] for w in words if w["x0"] >= middle)
            shown.append((left, right))
    return shown


def test_imposition_order_of_an_8_page_booklet(tmp_path) -> None:
    imposed = impose(numbered_pages(8), sheet_width=A4[1], sheet_height=A4[0])
    assert sides(imposed, tmp_path) == [
        ("Page 8", "Page 1"), ("Page 2", "Page 7"),  # sheet 1: front, back
        ("Page 6", "Page 3"), ("Page 4", "Page 5"),  # sheet 2: front, back
    ]
    assert all(same_size(s, landscape(A4)) for s in page_sizes(tmp_path / "imposed.pdf"))


def test_imposition_order_of_a_12_page_booklet(tmp_path) -> None:
    imposed = impose(numbered_pages(12), sheet_width=A4[1], sheet_height=A4[0])
    assert sides(imposed, tmp_path) == [
        ("Page 12", "Page 1"), ("Page 2", "Page 11"),
        ("Page 10", "Page 3"), ("Page 4", "Page 9"),
        ("Page 8", "Page 5"), ("Page 6", "Page 7"),
    ]


def test_imposition_pads_with_blank_pages_to_a_multiple_of_four(tmp_path) -> None:
    assert sheet_sides(6) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    imposed = impose(numbered_pages(6), sheet_width=A4[1], sheet_height=A4[0])
    assert sides(imposed, tmp_path) == [
        ("", "Page 1"), ("Page 2", ""), ("Page 6", "Page 3"), ("Page 4", "Page 5")]


def test_booklet_build_imposes_its_own_pages_and_keeps_the_metadata(make_project,
                                                                     tmp_path) -> None:
    root = make_project()
    reading, imposed = brochure.build(project=root, layout="booklet").outputs
    count = len(PdfReader(reading).pages)
    expected = sheet_sides(count)
    shown = sides(imposed.read_bytes(), tmp_path)
    assert len(shown) == len(expected)
    assert count % 4 == 0  # notes pages fill the last sheet: nothing is left blank
    for (left, right), (want_left, want_right) in zip(shown, expected, strict=True):
        for got, want in ((left, want_left), (right, want_right)):
            # Each inside page carries its footer, "Page N of M"; the covers do not.
            assert (f"Page {want} of {count}" in got) == (want not in (1, count)), (want, got)
    meta = PdfReader(imposed).metadata
    assert meta is not None
    assert (meta.title, meta.author) == ("Dry needling for back pain", "Test Clinic")
    assert meta["/CreationDate"] == PdfReader(reading).metadata["/CreationDate"]


# --- print shop -----------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_print_shop_pdf_is_trimmed_to_the_sheet(make_project, paper) -> None:
    # The boxes, slug and marks are read back in test_print_shop.py.
    root = make_project()
    result = brochure.build(project=root, layout=["poster", "trifold"], paper=paper,
                            print_shop=True)
    assert [p.name for p in result.outputs] == [f"back-pain.poster.{paper}.en.print-shop.pdf",
                                                f"back-pain.trifold.{paper}.en.print-shop.pdf"]
    for path, size in zip(result.outputs, (EXPECTED["poster", paper],
                                           EXPECTED["trifold", paper]), strict=True):
        for page in PdfReader(path).pages:
            trim = page.trimbox
            assert same_size((float(trim.width), float(trim.height)), size)


def test_office_pdf_has_no_bleed(make_project) -> None:
    root = make_project()
    path = brochure.build(project=root, layout="poster").outputs[0]
    page = PdfReader(path).pages[0]
    assert [float(v) for v in page.trimbox] == [float(v) for v in page.mediabox] == [
        0, 0, 792, 1224]


def test_print_shop_booklet_is_left_to_the_shop_to_impose(make_project) -> None:
    root = make_project()
    result = brochure.build(project=root, layout="booklet", print_shop=True)
    assert [p.name for p in result.outputs] == ["back-pain.booklet.letter.en.print-shop.pdf"]
