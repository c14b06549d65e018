"""Finding codes: one table, shown everywhere; --ignore and check.ignore the same everywhere."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import CLINIC, INTRO, ROOT

import brochure
from brochure import codes
from brochure.checks.findings import BrochureReport, Finding, shown, without_ignored
from brochure.cli import main
from brochure.codes import CODES, FAMILIES, TABLE, warning_code, with_code
from brochure.errors import UsageError

SRC = ROOT / "src" / "brochure"
PAGE = ROOT / "docs" / "findings.md"
TODAY = dt.date(2026, 11, 1)
UNSOURCED = INTRO.replace("low: 70, words: about seven in ten, source: article",
                          "low: 70, words: about seven in ten")
BAD_CSS = {"styles/handout.css": "p { colour: red; }\n"}
H001 = ("handouts/topics/intro.yaml:26:9: H001 warning: figure 'Back pain' has no source; add "
        "'source:' naming one of the file's sources")

# Every code ever given, with the name it stands for. A code is never removed, renumbered
# or given to another finding: one no longer produced stays in the table as reserved.
# A new code is added here and to the table in the same change.
KNOWN = {
    "S001": "safety.contraindications", "S002": "safety.red-flags",
    "S003": "safety.red-flags-guidance", "S004": "safety.placeholder",
    "S005": "honesty.when-to-call",
    "H001": "honesty.unsourced", "H002": "governance.review-due",
    "R001": "readability.grade", "R002": "readability.smog", "R003": "style.passive",
    "R004": "pemat.headings", "R005": "readability.ease",
    "T001": "translation.missing", "T002": "translation.unreviewed",
    "T003": "translation.stale", "T004": "translation.figures", "T005": "translation.structure",
    "A001": "a11y.title", "A002": "a11y.language", "A003": "a11y.tags",
    "A004": "a11y.text-size", "A005": "a11y.contrast", "A006": "a11y.heading-levels",
    "A007": "a11y.alt-text", "A008": "layout.fit",
    "W001": "render.css-declaration", "W002": "render.css-rule", "W003": "font.glyph",
    "W004": "render.font", "W005": "render.link", "W009": "render.warning",
    "P001": "prepress.pdfx.version", "P002": "prepress.pdfx.header",
    "P003": "prepress.pdfx.trapped", "P004": "prepress.pdfx.intent",
    "P005": "prepress.boxes.missing", "P006": "prepress.boxes.origin",
    "P007": "prepress.boxes.order", "P008": "prepress.boxes.slug",
    "P009": "prepress.boxes.bleed", "P010": "prepress.colour.rgb",
    "P011": "prepress.colour.text", "P012": "prepress.marks.missing",
    "P013": "prepress.marks.bleed", "P014": "prepress.fonts.embedded",
    "P015": "prepress.lines.thin", "P016": "prepress.images.resolution",
    "P017": "prepress.ink.skipped", "P018": "prepress.ink.total",
    "P019": "prepress.slug.content",
}
PROTECTED = {"S001", "S002", "S003", "S004", "S005", "T004"}


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="brochure", catch_exceptions=False)


# -- the table -------------------------------------------------------------------------------


def test_no_code_is_removed_renumbered_or_renamed() -> None:
    assert {c.code: c.name for c in TABLE} == KNOWN


def test_every_entry_is_complete() -> None:
    assert len(CODES) == len(TABLE)
    for c in TABLE:
        assert re.fullmatch(r"[A-Z]\d{3}", c.code), c
        assert c.code[0] in FAMILIES, c
        assert c.severities and set(c.severities) <= {"error", "warning", "info"}, c
        assert c.meaning.endswith(".") and c.fix.endswith("."), c
    assert {c.code for c in TABLE if c.protects} == PROTECTED


def _literals(path: Path, skip_table: bool) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    nodes: list[ast.AST] = [tree]
    if skip_table:  # the table's own entries are not uses
        nodes = [n for n in tree.body
                 if not (isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
                         and n.target.id == "TABLE")]
    return {n.value for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and re.fullmatch(r"[A-Z]\d{3}", n.value)}


def test_every_code_used_is_in_the_table_and_every_entry_is_used() -> None:
    used: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        used |= _literals(path, skip_table=path.name == "codes.py")
    assert used - set(CODES) == set()
    assert {c.code for c in TABLE if not c.reserved} - used == set()


def test_a_finding_needs_a_code_of_the_table() -> None:
    with pytest.raises(ValueError, match=r"finding code 'safety\.placeholder' is not in"):
        Finding("safety.placeholder", "error", "x", "f.yaml", 1)


# -- what a user sees ------------------------------------------------------------------------


def test_a_finding_prints_as_ruff_prints_one() -> None:
    f = Finding("H001", "warning", "figure 'Back pain' has no source", "intro.yaml", 26, 9)
    assert str(f) == "intro.yaml:26:9: H001 warning: figure 'Back pain' has no source"
    assert shown(f, lambda text, kind: f"<{kind}>{text}</{kind}>") == (
        "intro.yaml:26:9: H001 <warning>warning</warning>: figure 'Back pain' has no source")


@pytest.mark.parametrize(("message", "code"), [
    ("Ignored `colour: red` at 12:5, unknown property.", "W001"),
    ("Ignored `margin: sideways` at 3:1, invalid value.", "W001"),
    ("Invalid or unsupported selector, 'p:wat'", "W002"),
    ("Unknown rule @foo at 1:1", "W002"),
    ("Parse error at 2:3: EOF", "W002"),
    ('.notdef glyph rendered for Unicode string unsupported by fonts: "針" (U+91DD)', "W003"),
    ("handouts/topics/intro.yaml:1:30: no font of the brochure has the character '針'",
     "W003"),
    ("Font-face 'Brand' cannot be loaded", "W004"),
    ("No anchor #nowhere for internal URI reference", "W005"),
    ("Something WeasyPrint says one day", "W009"),
])
def test_renderer_warnings_have_codes(message: str, code: str) -> None:
    assert warning_code(message) == code


def test_a_renderer_warning_shows_its_code_after_its_place() -> None:
    assert with_code("Ignored `colour: red` at 12:5, unknown property.") == (
        "W001 Ignored `colour: red` at 12:5, unknown property.")
    assert with_code("intro.yaml:1:30: no font of the brochure has the character x") == (
        "intro.yaml:1:30: W003 no font of the brochure has the character x")


def test_check_prints_each_finding_with_its_code(make_project) -> None:
    make_project({"handouts/topics/intro.yaml": UNSOURCED})
    result = run("check", "--content-only")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert f"  {H001}" in lines
    assert ("  handouts/conditions/back-pain.yaml:1:1: R002 info: SMOG needs 30 or more "
            "sentences; this brochure has 17") in lines
    assert lines[-1] == "1 brochure checked: 0 errors, 1 warning; passed"


# -- --ignore and check.ignore ---------------------------------------------------------------


def test_ignore_leaves_a_finding_out_of_check_and_its_counts(make_project) -> None:
    make_project({"handouts/topics/intro.yaml": UNSOURCED})
    strict = run("check", "--content-only", "--strict")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1] == (
        "1 brochure checked: 0 errors, 1 warning; failed (strict: warnings count as errors)")
    for args in (["--ignore", "H001"], ["--ignore", "h001,R002"],
                 ["--ignore", "H001", "--ignore", "R002"]):
        result = run("check", "--content-only", "--strict", *args)
        assert result.exit_code == 0, args
        assert H001 not in result.stdout
        counted = "1 ignored (H001)" if args == ["--ignore", "H001"] else "2 ignored (H001, R002)"
        assert result.stdout.splitlines()[-1] == (
            f"1 brochure checked: 0 errors, 0 warnings, {counted}; passed (strict: warnings "
            "count as errors)")


def test_check_ignore_in_clinic_yaml_works_as_the_option_does(make_project) -> None:
    make_project({"handouts/topics/intro.yaml": UNSOURCED,
                  "handouts/clinic.yaml": CLINIC + "check:\n  ignore: [H001]\n"})
    result = run("check", "--content-only", "--strict")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "1 brochure checked: 0 errors, 0 warnings, 1 ignored (H001); passed (strict: "
        "warnings count as errors)")
    both = run("check", "--content-only", "--strict", "--ignore", "R002")
    assert both.stdout.splitlines()[-1].startswith(
        "1 brochure checked: 0 errors, 0 warnings, 2 ignored (H001, R002); passed")


def test_the_json_says_which_codes_were_ignored_and_counts_none_of_them(make_project) -> None:
    make_project({"handouts/topics/intro.yaml": UNSOURCED})
    plain = json.loads(run("check", "--content-only", "--format", "json").stdout)
    assert plain["version"] == 2 and plain["ignore"] == []
    assert plain["summary"] == {"brochures": 1, "errors": 0, "warnings": 1, "ignored": 0}
    [finding] = [f for f in plain["brochures"][0]["findings"] if f["code"] == "H001"]
    assert (finding["file"], finding["line"], finding["column"]) == (
        "handouts/topics/intro.yaml", 26, 9)
    data = json.loads(run("check", "--content-only", "--format", "json", "--strict",
                          "--ignore", "H001").stdout)
    assert data["passed"] is True and data["ignore"] == ["H001"]
    assert data["summary"] == {"brochures": 1, "errors": 0, "warnings": 0, "ignored": 1}
    assert [f["code"] for f in data["brochures"][0]["findings"]] == ["R002"]


def test_an_unknown_code_is_a_usage_error(make_project) -> None:
    make_project()
    result = run("check", "--content-only", "--ignore", "H01")
    assert (result.exit_code, result.stderr) == (2, (
        "error: --ignore H01: unknown finding code 'H01' (did you mean 'H001'?); the docs' "
        "page 'Finding codes' lists them\n"))
    serve = run("serve", "--ignore", "W01")
    assert (serve.exit_code, serve.stderr) == (2, (
        "error: --ignore W01: unknown finding code 'W01' (did you mean 'W001'?); the docs' "
        "page 'Finding codes' lists them\n"))
    old = run("build", "--ignore", "honesty.unsourced")
    assert (old.exit_code, old.stderr) == (2, (
        "error: --ignore honesty.unsourced: unknown finding code 'honesty.unsourced' (did "
        "you mean 'H001'?); the docs' page 'Finding codes' lists them\n"))


def test_an_unknown_code_in_clinic_yaml_names_its_line(make_project) -> None:
    make_project({"handouts/clinic.yaml": CLINIC + "check:\n  ignore: [R003, H01]\n"})
    result = run("check", "--content-only")
    assert (result.exit_code, result.stderr) == (1, (
        "handouts/clinic.yaml:15:18: check.ignore[1]: unknown finding code 'H01' (did you "
        "mean 'H001'?); the docs' page 'Finding codes' lists them\n"
        "1 problem found in the content\n"))


def test_a_code_that_protects_patients_cannot_be_ignored(make_project) -> None:
    make_project()
    result = run("check", "--content-only", "--ignore", "R003,S004")
    assert (result.exit_code, result.stderr) == (2, (
        "error: --ignore S004: S004 (safety.placeholder) cannot be ignored: a patient in an "
        "emergency would read a placeholder, not the number to call; fix what it finds "
        "instead\n"))
    build = run("build", "--strict", "--ignore", "T004")
    assert (build.exit_code, build.stderr) == (2, (
        "error: --ignore T004: T004 (translation.figures) cannot be ignored: a translated "
        "number that differs tells a patient something else; fix what it finds instead\n"))
    make_project({"handouts/clinic.yaml": CLINIC + "check:\n  ignore: [S005]\n"})
    in_file = run("check", "--content-only")
    assert in_file.stderr.splitlines()[0] == (
        "handouts/clinic.yaml:15:12: check.ignore[0]: S005 (honesty.when-to-call) cannot be "
        "ignored: it tells a patient when to call the clinic; fix what it finds instead")
    with pytest.raises(UsageError, match=r"S001 .* cannot be ignored"):
        codes.ignore_codes(["S001"])


def test_every_protected_code_refuses_to_be_ignored() -> None:
    for code in PROTECTED:
        with pytest.raises(UsageError, match=f"^--ignore {code}: {code} .* cannot be ignored: "):
            codes.ignore_codes([code])
    assert codes.ignore_codes(["w001, r003", "W001"]) == ("R003", "W001")
    assert codes.ignore_codes("h001") == ("H001",)


def test_the_filter_never_drops_a_protected_finding() -> None:
    found = [Finding("S004", "error", "placeholder", "clinic.yaml", 1),
             Finding("H001", "warning", "no source", "intro.yaml", 2)]
    report = without_ignored(BrochureReport("b", "B", "b.yaml", findings=found), {"S004", "H001"})
    assert [f.code for f in report.findings] == ["S004"]


def test_build_check_and_strict_leave_ignored_findings_out(make_project) -> None:
    root = make_project({"handouts/topics/intro.yaml": UNSOURCED})
    refused = run("build", "--strict", "--jobs", "1", "--quiet")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        H001, "the check found 0 errors and 1 warning (strict mode); nothing was built"]
    built = run("build", "--strict", "--jobs", "1", "--quiet", "--ignore", "H001")
    assert (built.exit_code, built.stderr) == (0, "")
    assert (root / "dist/back-pain.handout.letter.en.pdf").is_file()


def test_build_strict_passes_with_an_ignored_renderer_warning(make_project) -> None:
    root = make_project(BAD_CSS)
    warned = run("build", "--jobs", "1", "--quiet")
    assert warned.exit_code == 0
    assert re.fullmatch(r"warning: back-pain.handout.letter.en.pdf: W001 Ignored `colour: "
                        r"red` at \d+:5, unknown property\.\n", warned.stderr)
    failed = run("build", "--strict", "--jobs", "1", "--quiet", "--force")
    assert failed.exit_code == 1
    assert "nothing was written: W001 Ignored `colour: red`" in failed.stderr
    passed = run("build", "--strict", "--jobs", "1", "--quiet", "--ignore", "W001")
    assert (passed.exit_code, passed.stderr) == (0, "")
    assert (root / "dist/back-pain.handout.letter.en.pdf").is_file()
    # Ignored in clinic.yaml, the warning is not printed either.
    (root / "handouts/clinic.yaml").write_text(CLINIC + "check:\n  ignore: [W001]\n")
    quiet = run("build", "--jobs", "1", "--quiet", "--force")
    assert (quiet.exit_code, quiet.stderr) == (0, "")


def test_the_library_calls_take_ignore_too(make_project) -> None:
    root = make_project({"handouts/topics/intro.yaml": UNSOURCED})
    result = brochure.check(project=root, render=False, strict=True, ignore=["H001"],
                            today=TODAY)
    assert result.passed and result.ignore == ("H001",) and result.ignored == 1
    with pytest.raises(UsageError, match="unknown finding code 'X001'"):
        brochure.check(project=root, render=False, ignore=["X001"])


def test_the_preview_panel_leaves_ignored_findings_out(make_project, tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from brochure.content.project import load_project
    from brochure.recipe.job import Job
    from brochure.serve import pages
    from brochure.serve.builder import Builder, Preview

    root = make_project({"handouts/clinic.yaml": CLINIC + "check:\n  ignore: [R002]\n"})
    builder = Builder(root, tmp_path / "store", workers=2, ignore=("H001",))
    builder._project = load_project(root)
    assert builder.ignored == ("H001", "R002")
    item = Preview(Job("back-pain", "handout", "letter", "en"), "Back pain")
    item.report = BrochureReport("back-pain", "Back pain", "c.yaml", findings=[
        Finding("H001", "warning", "no source here", "c.yaml", 2),
        Finding("R002", "info", "no smog here", "c.yaml", 1),
        Finding("R003", "warning", "passive here", "c.yaml", 3)])
    builder.items = {item.key: item}
    page = pages.preview(builder, item)
    assert "passive here" in page and "R003" in page
    assert "no source here" not in page and "no smog here" not in page


# -- the docs --------------------------------------------------------------------------------


def findings_tables() -> str:
    """Return the tables of docs/findings.md, made from the table in brochure.codes."""
    out: list[str] = []
    for family, title in FAMILIES.items():
        out += [f"## {family}: {title}", "",
                "| Code | Name | Severity | What it means | How to fix it |",
                "| --- | --- | --- | --- | --- |"]
        for c in TABLE:
            if c.code[0] != family:
                continue
            fix = c.fix + (f" **Cannot be ignored**: {c.protects}." if c.protects else "")
            meaning = ("Reserved: no longer reported. " if c.reserved else "") + c.meaning
            out.append(f"| `{c.code}` | `{c.name}` | {' or '.join(c.severities)} | "
                       f"{meaning} | {fix} |")
        out.append("")
    return "\n".join(out)


START, END = "<!-- codes: start -->\n", "<!-- codes: end -->\n"


def test_the_findings_page_lists_every_code_as_the_table_does() -> None:
    text = PAGE.read_text("utf-8")
    made = text.split(START, 1)[1].split(END, 1)[0]
    assert made == "\n" + findings_tables() + "\n", (
        "docs/findings.md differs from brochure.codes: run python -m tests.test_codes")


if __name__ == "__main__":  # python -m tests.test_codes: write the page's tables anew
    head, rest = PAGE.read_text("utf-8").split(START, 1)
    PAGE.write_text(head + START + "\n" + findings_tables() + "\n" + END +
                    rest.split(END, 1)[1], "utf-8")
