"""The print-shop files read back as a prepress check reads them: PDF/X-4 in CMYK.

Every print-shop layout of the default content is built once for this module, on both
papers, and each test reads those PDFs: boxes, slug, crop and fold marks, output intent,
colour operators, and a CMYK render of the text.
"""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from click.testing import CliRunner

import brochure
from brochure.checks.cmykrender import render_cmyk
from brochure.checks.contentwalk import walk
from brochure.checks.preflight import preflight
from brochure.cli import main
from brochure.content.layouts import layouts
from brochure.content.printcolour import DEFAULT_PROFILE
from conftest import ROOT
from pdfread import fonts as pdf_fonts

MM = 72 / 25.4
BLEED = {"letter": 9.0, "a4": 3 * MM}
PAPERS = ("letter", "a4")
BRAND_CMYK = (0.91, 0.62, 0.25, 0.07)  # #1d5f8a through the built-in profile


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Build back-pain in every layout on both papers for a print shop, once."""
    out = tmp_path_factory.mktemp("print-shop")
    result = brochure.build(project=ROOT, conditions=["back-pain"], layout="all",
                            paper=list(PAPERS), lang="en", print_shop=True, out=out)
    files = {}
    for path in result.outputs:
        _, layout, paper, _, marker, _ = path.name.split(".")
        assert marker == "print-shop"
        files[layout, paper] = path
    assert sorted(files) == sorted((lay, p) for lay in layouts() for p in PAPERS)
    return files


def _boxes(page: pikepdf.Page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page.obj[f"/{name}"]]
            for name in ("MediaBox", "TrimBox", "BleedBox")}


def test_every_page_has_trim_and_bleed_boxes_and_a_slug_from_the_origin(built) -> None:
    for (layout, paper), path in built.items():
        width, height = layouts()[layout].paper_spec(paper).size()
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                box = _boxes(page)
                media, trim, bleed = box["MediaBox"], box["TrimBox"], box["BleedBox"]
                assert media[:2] == [0, 0], (layout, paper)
                # The trim is the finished sheet; the bleed runs past it on every side.
                assert trim[2] - trim[0] == pytest.approx(width, abs=0.01)
                assert trim[3] - trim[1] == pytest.approx(height, abs=0.01)
                for side in range(4):
                    outward = -1 if side < 2 else 1
                    assert (bleed[side] - trim[side]) * outward == pytest.approx(
                        BLEED[paper], abs=0.01)
                    slug = (media[side] - bleed[side]) * outward
                    assert slug >= 6 * MM, (layout, paper, slug / MM)
                assert "/CropBox" not in page.obj


def _registration_lines(pdf: pikepdf.Pdf) -> dict[int, list[tuple[tuple[float, ...], float]]]:
    lines: dict[int, list[tuple[tuple[float, ...], float]]] = {}
    for page, segment, width in walk(pdf).marks:
        lines.setdefault(page, []).append((segment, width))
    return lines


def _near(value: float, targets: tuple[float, ...]) -> bool:
    return any(math.isclose(value, t, abs_tol=0.002) for t in targets)


def test_crop_marks_sit_in_the_slug_outside_the_bleed(built) -> None:
    for (layout, paper), path in built.items():
        with pikepdf.open(path) as pdf:
            marks = _registration_lines(pdf)
            for number, page in enumerate(pdf.pages, start=1):
                box = _boxes(page)
                x0, y0, x1, y1 = box["TrimBox"]
                media = box["MediaBox"]
                crop = [(s, w) for s, w in marks[number]
                        if (s[0] == s[2] and _near(s[0], (x0, x1)))
                        or (s[1] == s[3] and _near(s[1], (y0, y1)))]
                assert len(crop) == 8, (layout, paper, number)  # two at each corner
                for (ax, ay, bx, by), width in crop:
                    assert width == pytest.approx(0.25)
                    # Along a trim line, starting at least 3 mm outside the trim and past
                    # the bleed, ending inside the sheet.
                    if ax == bx:
                        near = min(abs(ay - y0), abs(ay - y1), abs(by - y0), abs(by - y1))
                        outside = min(ay, by) >= y1 or max(ay, by) <= y0
                    else:
                        near = min(abs(ax - x0), abs(ax - x1), abs(bx - x0), abs(bx - x1))
                        outside = min(ax, bx) >= x1 or max(ax, bx) <= x0
                    assert outside
                    assert near >= 3 * MM
                    assert near > BLEED[paper]
                    for x in (ax, bx):
                        assert media[0] < x < media[2]
                    for y in (ay, by):
                        assert media[1] < y < media[3]


def _folds_in_css(paper: str) -> list[list[float]]:
    # trifold.css: the panel that folds in is 2.5 mm narrower than the other two.
    width = layouts()["trifold"].paper_spec(paper).size()[0]
    narrow, wide = (width - 5 * MM) / 3, (width + 2.5 * MM) / 3
    return [[narrow, narrow + wide], [wide, 2 * wide]]  # outside, inside


@pytest.mark.parametrize("paper", PAPERS)
def test_trifold_has_fold_marks_above_and_below_each_fold(built, paper) -> None:
    folds = _folds_in_css(paper)
    with pikepdf.open(built["trifold", paper]) as pdf:
        marks = _registration_lines(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            x0, y0, x1, y1 = _boxes(page)["TrimBox"]
            fold_marks = [s for s, _ in marks[number]
                          if s[0] == s[2] and not _near(s[0], (x0, x1))]
            found = sorted({round(s[0] - x0, 2) for s in fold_marks})
            assert found == pytest.approx(folds[number - 1], abs=0.05)
            for fold in folds[number - 1]:
                at = [s for s in fold_marks if math.isclose(s[0] - x0, fold, abs_tol=0.05)]
                above = [s for s in at if min(s[1], s[3]) >= y1 + 3 * MM]
                below = [s for s in at if max(s[1], s[3]) <= y0 - 3 * MM]
                assert len(above) == len(below) == 1


@pytest.mark.parametrize("paper", PAPERS)
def test_trifold_cover_band_keeps_off_the_fold(built, paper) -> None:
    fold = _folds_in_css(paper)[0][1]  # between the back panel and the cover
    with pikepdf.open(built["trifold", paper]) as raw:
        trim_left = float(raw.pages[0].obj.TrimBox[0])
    with pdfplumber.open(built["trifold", paper]) as pdf:
        page = pdf.pages[0]
        # The band is the brand-coloured box that runs out through the top of the bleed.
        bands = [r for r in page.rects if tuple(r["non_stroking_color"] or ()) == BRAND_CMYK
                 and math.isclose(r["top"], raw_top(built["trifold", paper]), abs_tol=0.1)]
        assert len(bands) == 1
        band = bands[0]
        assert band["x1"] == pytest.approx(page.width - raw_top(built["trifold", paper]),
                                           abs=0.1)  # out through the right edge's bleed
        # ... and it stops at least 2 mm short of the fold.
        assert band["x0"] - trim_left >= fold + 2 * MM


def raw_top(path: Path) -> float:
    """Return the distance from the page top to the top of the bleed (pdfplumber's 'top')."""
    with pikepdf.open(path) as pdf:
        media = [float(v) for v in pdf.pages[0].obj.MediaBox]
        bleed = [float(v) for v in pdf.pages[0].obj.BleedBox]
    return media[3] - bleed[3]


def test_the_built_in_profile_is_ghostscripts_unchanged() -> None:
    # src/brochure/data/icc/README.md names its source and licence by this hash.
    digest = hashlib.sha256(DEFAULT_PROFILE.read_bytes()).hexdigest()
    assert digest == "8472fa1493a024b800b67dee9424835ec0c41ab79490200ae8ec4a689fd1b9a9"
    assert digest in (DEFAULT_PROFILE.parent / "README.md").read_text().replace("\n", "")


def test_pdfx4_keys_and_an_embedded_cmyk_output_intent(built) -> None:
    profile = DEFAULT_PROFILE.read_bytes()
    for (layout, paper), path in built.items():
        with pikepdf.open(path) as pdf:
            assert pdf.pdf_version == "1.6"
            with pdf.open_metadata() as meta:
                assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
                assert "pdfuaid:part" not in meta  # the print-shop file claims PDF/X only
            assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"
            assert str(pdf.docinfo["/Trapped"]) == "/False"
            assert bytes(pdf.trailer.ID[0])
            (intent,) = pdf.Root.OutputIntents
            assert intent.S == pikepdf.Name.GTS_PDFX
            assert str(intent.OutputConditionIdentifier) == "Artifex CMYK SWOP Profile"
            icc = intent.DestOutputProfile
            assert int(icc.N) == 4
            assert icc.read_bytes() == profile, (layout, paper)
            assert icc.read_bytes()[16:20] == b"CMYK"


def _content_streams(pdf: pikepdf.Pdf) -> list[object]:
    streams: list[object] = []
    seen: set[tuple[int, int]] = set()

    def forms(resources: pikepdf.Object) -> None:
        for xobject in resources.get("/XObject", {}).values():
            if xobject.objgen in seen or xobject.get("/Subtype") != pikepdf.Name.Form:
                continue
            seen.add(xobject.objgen)
            streams.append(xobject)
            forms(xobject.get("/Resources", pikepdf.Dictionary()))
        for pattern in resources.get("/Pattern", {}).values():
            if isinstance(pattern, pikepdf.Stream) and pattern.objgen not in seen:
                seen.add(pattern.objgen)
                streams.append(pattern)
                forms(pattern.get("/Resources", pikepdf.Dictionary()))

    for page in pdf.pages:
        streams.append(page)
        forms(page.obj.Resources)
    return streams


def test_no_rgb_colour_operators_in_any_content(built) -> None:
    for (layout, paper), path in built.items():
        with pikepdf.open(path) as pdf:
            operators: set[str] = set()
            for stream in _content_streams(pdf):
                operators.update(str(i.operator) for i in pikepdf.parse_content_stream(stream))
            assert not operators & {"rg", "RG"}, (layout, paper)
            assert {"scn", "cs"} <= operators  # colours are set, in CMYK
            spaces = pdf.pages[0].obj.Resources.ColorSpace
            for name, space in spaces.items():
                if isinstance(space, pikepdf.Array) and space[0] == pikepdf.Name.ICCBased:
                    assert int(space[1].N) == 4 or name in ("/lab-d50", "/lab-d65")


def test_every_print_shop_file_passes_the_prepress_check(built) -> None:
    for (layout, paper), path in built.items():
        found = preflight(path)
        assert [f for f in found if f.severity != "info"] == [], (layout, paper)
        codes = {f.code for f in found}
        assert {"P001", "P004", "P005", "P010", "P012", "P014",
                "P015", "P016", "P018", "P019"} <= codes
        assert all(embedded for _, embedded in pdf_fonts(path))


def test_the_print_shop_file_is_reproducible(built, tmp_path) -> None:
    again = brochure.build(project=ROOT, conditions=["back-pain"], layout="trifold",
                           paper="a4", lang="en", print_shop=True, out=tmp_path).outputs[0]
    assert again.read_bytes() == built["trifold", "a4"].read_bytes()


def test_qpdf_check_is_clean(built) -> None:
    for path in built.values():
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No syntax or stream encoding errors found" in done.stdout
        assert "WARNING" not in done.stdout + done.stderr


@pytest.mark.parametrize(("layout", "paper"), [("handout", "letter"), ("trifold", "a4"),
                                               ("booklet", "a4")])
def test_text_prints_on_the_black_plate_only(built, layout, paper) -> None:
    """Body text and all text under 12 pt print on K alone, read off a render.

    Headings and the cover's call to action (bold, or 14 pt and up) are in the brand colour.
    """
    path = built[layout, paper]
    dpi = 150
    width, height, pixels = render_cmyk(path, dpi=dpi, page=1, antialias=False)[0]
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
    body = [c for c in chars
            if c["size"] < 12 or ("Bold" not in c["fontname"] and c["size"] < 13.5)]
    assert len(body) > 100
    inked = 0
    for char in body:
        assert tuple(char["non_stroking_color"])[:3] == (0, 0, 0), char["text"]
        left, right = math.ceil(char["x0"] * dpi / 72), math.floor(char["x1"] * dpi / 72)
        top, bottom = math.ceil(char["top"] * dpi / 72), math.floor(char["bottom"] * dpi / 72)
        for y in range(top, min(bottom, height)):
            for x in range(left, min(right, width)):
                c, m, yellow, k = pixels[(y * width + x) * 4:(y * width + x) * 4 + 4]
                if k > 128:  # a glyph pixel
                    inked += 1
                    assert (c, m, yellow) == (0, 0, 0), (char["text"], x, y)
    assert inked > 300  # the booklet cover (A5) has the least small text: about 400 pixels


def test_office_file_stays_rgb_and_tagged(tmp_path) -> None:
    result = brochure.build(project=ROOT, conditions=["back-pain"], layout="handout",
                            paper="letter", lang="en", out=tmp_path)
    with pikepdf.open(result.outputs[0]) as pdf:
        assert "/OutputIntents" not in pdf.Root
        assert "/StructTreeRoot" in pdf.Root
        with pdf.open_metadata() as meta:
            assert meta["pdfuaid:part"] == "1"
        operators = {str(i.operator) for i in pikepdf.parse_content_stream(pdf.pages[0])}
        assert "rg" in operators
        assert [float(v) for v in pdf.pages[0].obj.MediaBox] == [0, 0, 612, 792]


def test_archive_writes_a_pdfa_2u_copy_of_the_office_file(tmp_path) -> None:
    result = brochure.build(project=ROOT, conditions=["back-pain"], layout="handout",
                            paper="a4", lang="en", out=tmp_path, archive=True)
    names = [p.name for p in result.outputs]
    assert names == ["back-pain.handout.a4.en.pdf", "back-pain.handout.a4.en.pdfa.pdf"]
    with pikepdf.open(result.outputs[1]) as pdf:
        with pdf.open_metadata() as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "U")
        assert "/StructTreeRoot" in pdf.Root
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
    text = " ".join(p.extract_text() for p in pdfplumber.open(result.outputs[1]).pages)
    assert "What is back pain?" in text


def test_archive_and_print_shop_together_is_a_usage_error(tmp_path) -> None:
    run = CliRunner().invoke(main, ["build", "--project", str(ROOT), "--out", str(tmp_path),
                                    "--print-shop", "--archive", "back-pain"],
                             catch_exceptions=False)
    assert run.exit_code == 2
    assert run.output == ("error: --archive keeps a PDF/A copy of the office PDF; build it "
                          "without --print-shop\n")


CMYK_CLINIC = """\
print_shop:
  cmyk:
    primary: [100, 55, 0, 20]
"""


def test_list_colours_shows_the_conversion_and_the_printers_values(make_project) -> None:
    root = make_project()
    clinic = root / "handouts" / "clinic.yaml"
    clinic.write_text(clinic.read_text() + CMYK_CLINIC)
    run = CliRunner().invoke(main, ["list", "--colours"], catch_exceptions=False)
    assert run.exit_code == 0
    assert run.output.splitlines() == [
        "Print-shop colours (CMYK profile: Artifex CMYK SWOP Profile (built in)):",
        "  primary      #1d5f8a  C 100 M 55 Y 0 K 20    clinic.yaml",
        "  accent       #8a4b08  C 32 M 71 Y 100 K 28   Artifex CMYK SWOP Profile",
        "  tint         #e6f0f7  C 8 M 2 Y 1 K 0        Artifex CMYK SWOP Profile",
        "  text         #1f2933  C 0 M 0 Y 0 K 100      100% K: text on one plate",
        "  accent tint  #f3ede6  C 3 M 7 Y 10 K 3       10% of accent",
    ]
    # The build prints the printer's value, exactly.
    path = brochure.build(project=root, layout="poster", print_shop=True).outputs[0]
    with pikepdf.open(path) as pdf:
        fills = {tuple(round(float(v), 2) for v in i.operands)
                 for i in pikepdf.parse_content_stream(pdf.pages[0])
                 if str(i.operator) == "scn"}
    assert (1.0, 0.55, 0.0, 0.2) in fills


def test_a_profile_that_is_not_cmyk_is_a_content_error(make_project) -> None:
    root = make_project({"assets/press.icc": b"an RGB profile, or no profile at all" * 2})
    clinic = root / "handouts" / "clinic.yaml"
    clinic.write_text(clinic.read_text() + "print_shop:\n  profile: assets/press.icc\n")
    run = CliRunner().invoke(main, ["list", "--colours"], catch_exceptions=False)
    assert run.exit_code == 1
    assert run.output.splitlines()[0] == (
        "handouts/clinic.yaml:15:12: print_shop.profile: 'assets/press.icc' is not a CMYK ICC "
        "profile; ask the printer for the profile of their press (for example FOGRA39 or "
        "GRACoL)")


def test_check_print_shop_reports_what_a_prepress_check_reads(make_project) -> None:
    make_project()
    run = CliRunner().invoke(main, ["check", "back-pain", "--print-shop", "--layout",
                                    "trifold"], catch_exceptions=False)
    lines = [re.sub(r"^\s+handouts/conditions/back-pain.yaml:1:1: ", "", line)
             for line in run.output.splitlines() if "print-shop.pdf" in line]
    name = "back-pain.trifold.letter.en.print-shop.pdf"
    for expected in (
        f"P001 info: {name}: PDF/X-4 (PDF 1.6)",
        f"P004 info: {name}: output intent: Artifex CMYK SWOP Profile (embedded CMYK ICC "
        "profile, 187,484 bytes)",
        f"P005 info: {name}: TrimBox and BleedBox on all 2 pages; bleed 3.2 mm, slug 8.0 mm",
        f"P010 info: {name}: no RGB colour operators or spaces",
        f"P012 info: {name}: 24 marks in registration colour, all outside the bleed",
        f"P015 info: {name}: thinnest line 0.25 pt",
        f"P016 info: {name}: no raster images (everything is vector)",
        f"P019 info: {name}: nothing but the marks outside the bleed",
    ):
        assert expected in lines
    assert not [line for line in lines if line.split(" ")[1] in ("error:", "warning:")]


def test_preflight_rejects_an_office_pdf(tmp_path) -> None:
    office = brochure.build(project=ROOT, conditions=["back-pain"], layout="poster",
                            paper="letter", out=tmp_path).outputs[0]
    found = {(f.severity, f.code): f.message for f in preflight(office)}
    assert found["error", "P001"] == ("the XMP says no PDF/X version; a print shop "
                                             "expects PDF/X-4")
    assert found["error", "P004"] == ("no PDF/X output intent: the press condition "
                                            "is unknown")
    assert found["error", "P010"].startswith("RGB colour in the page content: ")
    assert found["error", "P012"] == "no crop marks in registration colour"


def test_check_print_shop_needs_the_render(make_project) -> None:
    make_project()
    run = CliRunner().invoke(main, ["check", "--print-shop", "--content-only"],
                             catch_exceptions=False)
    assert run.exit_code == 2
    assert run.output == ("error: --print-shop reads back the rendered print-shop PDF; "
                          "leave out --content-only\n")
