"""A clinic's own layout, added from its project: the exercise sheet of docs/layouts.md.

The files are read from the documentation page itself, so the worked example there is
the one these tests build.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from tests.conftest import CLINIC, CONDITION, ROOT
from tests.pdfread import text

from brochure.catalogue.plan import plan
from brochure.cli import main
from brochure.content.project import load_project
from brochure.recipe.job import Job, Options

DOC = ROOT / "docs" / "layouts.md"
SECTION = "## Add your own layout"
# A file of the example: a line "`path`:", a blank line, then a fenced code block.
SNIPPET = re.compile(r"^`(?P<path>[^`\s]+)`:\n\n```[\w-]*\n(?P<body>.*?)^```$",
                     re.MULTILINE | re.DOTALL)
LETTER = (612, 792)


def doc_files() -> dict[str, str]:
    """Return {path: text} for each file the documentation's worked example shows."""
    page = DOC.read_text("utf-8")
    section = page[page.index(SECTION):]
    section = section[:section.index("\n## ", len(SECTION))]
    return {m["path"]: m["body"] for m in SNIPPET.finditer(section)}


def own_layout_files() -> dict[str, str | bytes | None]:
    """Return the test project's files, with the documented layout and exercises added."""
    files = doc_files()
    return {
        "handouts/clinic.yaml": CLINIC + files["handouts/clinic.yaml"],
        "handouts/conditions/back-pain.yaml": CONDITION.replace(
            "sections:\n", files["handouts/conditions/back-pain.yaml"], 1),
        "templates/exercise-sheet.html.j2": files["templates/exercise-sheet.html.j2"],
        "styles/exercise-sheet.css": files["styles/exercise-sheet.css"],
    }


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), prog_name="brochure", catch_exceptions=False)


def test_the_docs_show_every_file_of_the_example() -> None:
    assert sorted(doc_files()) == ["handouts/clinic.yaml", "handouts/conditions/back-pain.yaml",
                                   "styles/exercise-sheet.css",
                                   "templates/exercise-sheet.html.j2"]


def test_brochure_list_shows_the_project_layout(make_project) -> None:
    make_project(own_layout_files())
    result = run("list")
    assert result.exit_code == 0, result.output
    assert re.search(r"^  exercise-sheet +One-page exercise sheet to take home, with a week "
                     r"to tick off\. Papers: letter \(US Letter portrait\), a4 \(A4 portrait\)"
                     r"\.$", result.output, re.MULTILINE), result.output


def test_the_exercise_sheet_builds_one_page_with_the_condition(make_project) -> None:
    root = make_project(own_layout_files())
    result = run("build", "back-pain", "--layout", "exercise-sheet")
    assert result.exit_code == 0, result.output
    pdf = root / "dist" / "back-pain.exercise-sheet.letter.en.pdf"
    pages = PdfReader(pdf).pages
    assert len(pages) == 1
    size = (float(pages[0].mediabox.width), float(pages[0].mediabox.height))
    assert all(math.isclose(a, b, abs_tol=0.05) for a, b in zip(size, LETTER, strict=True))
    got = text(pdf)
    for words in ("Your exercise sheet · Test Clinic", "Dry needling for back pain",
                  "Dry needling may ease your back pain as part of your care.",
                  "Knee-to-chest stretch, twice a day", "Lie on your back with both knees bent.",
                  "Walk for 10 minutes.", "My week", "Exercises done",
                  "When should I call you?", "In an emergency, call 911"):
        assert words in got, words
    # The steps of the intro topic are not exercises: only the condition's own sections.
    assert "We talk with you." not in got


def test_the_exercise_sheet_is_checked(make_project) -> None:
    make_project(own_layout_files())
    result = run("check", "back-pain", "--layout", "exercise-sheet")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("1 brochure checked: 0 errors, 0 warnings; passed")


def test_too_much_for_one_page_fails_the_build_and_writes_nothing(make_project) -> None:
    files = own_layout_files()
    many = "".join(f"          - Hold stretch {i} for a slow count of twenty.\n"
                   for i in range(30))
    files["handouts/conditions/back-pain.yaml"] = str(
        files["handouts/conditions/back-pain.yaml"]).replace(
        "          - Lower it, then do the same with the other knee.\n",
        "          - Lower it, then do the same with the other knee.\n" + many)
    root = make_project(files)
    result = run("build", "back-pain", "--layout", "exercise-sheet")
    assert result.exit_code == 1
    assert re.search(r"^error: back-pain\.exercise-sheet\.letter\.en\.pdf: "
                     r"handouts/conditions/back-pain\.yaml:\d+:1: exercise-sheet panel 'sheet' "
                     r"overflows by \d+ mm; shorten its content or leave out a topic \(in this "
                     r"list or with --topics\)$", result.stderr, re.MULTILINE), result.stderr
    assert not list((root / "dist").glob("*.pdf"))


BAD_LAYOUTS = """\
layouts:
  poster:
    description: Our own poster.
    template: poster.html.j2
    stylesheet: poster.css
    papers: {letter: {sheet: tabloid}}
  exercise-sheet:
    description: One-page exercise sheet.
    template: exercise.html.j2
    stylesheet: exercise-sheet.css
    colour: blue
    pages: 1
    papers:
      letter: {sheet: leter}
      legal: {sheet: letter}
  Handout-2:
    description: A second handout.
    template: handout.html.j2
    stylesheet: ../handouts/clinic.yaml
    papers: {a4: {sheet: a4}}
"""


def test_each_problem_of_an_own_layout_is_one_located_line(make_project) -> None:
    files = own_layout_files()
    files["handouts/clinic.yaml"] = CLINIC.replace(
        "  language: en\n", "  language: en\n  layouts: [handout, exercise-sheet, exercise-shet]\n"
    ) + BAD_LAYOUTS
    make_project(files)
    result = run("list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "handouts/clinic.yaml:12:12: defaults.layouts: unknown layout 'exercise-shet' (did you "
        "mean 'exercise-sheet'?); list any of: handout, trifold, poster, booklet, large-print, "
        "exercise-sheet",
        "handouts/clinic.yaml:16:3: layouts.poster: 'poster' is one of the package's layouts; "
        "give yours another id (to change how the poster layout looks, put your own copy of "
        "styles/poster.css in the project instead)",
        "handouts/clinic.yaml:23:15: layouts.exercise-sheet.template: no template "
        "'exercise.html.j2' in templates/ or the package (did you mean "
        "'exercise-sheet.html.j2'?); create templates/exercise.html.j2 or name one that exists",
        "handouts/clinic.yaml:25:5: layouts.exercise-sheet.colour: unknown key 'colour' (did "
        "you mean 'colours'?)",
        "handouts/clinic.yaml:28:23: layouts.exercise-sheet.papers.letter.sheet: 'leter' is not "
        "allowed here (did you mean 'letter'?); use one of: 'letter', 'a4', 'tabloid', 'a3', "
        "'half-letter' or 'a5'",
        "handouts/clinic.yaml:29:7: layouts.exercise-sheet.papers.legal: 'legal' is not allowed "
        "here; use one of: 'letter' or 'a4'",
        "handouts/clinic.yaml:30:3: layouts.Handout-2: 'Handout-2' is not a valid id: U+0048 "
        "LATIN CAPITAL LETTER H at position 1 is not allowed; use lowercase letters (a-z), "
        "digits and hyphens",
        "handouts/clinic.yaml:33:17: layouts.Handout-2.stylesheet: '../handouts/clinic.yaml' is "
        "not a stylesheet file name; give the name of a file in the project's styles/ folder, "
        "like 'exercise-sheet.css'",
        "8 problems found in the content",
    ]


def test_an_own_layout_in_defaults_is_built_by_default(make_project) -> None:
    files = own_layout_files()
    files["handouts/clinic.yaml"] = str(files["handouts/clinic.yaml"]).replace(
        "  language: en\n", "  language: en\n  layouts: [exercise-sheet]\n"
        "  layouts_by_language: {en: [exercise-sheet]}\n")
    root = make_project(files)
    project = load_project(root)
    assert [lay.id for lay in project.select_layouts(project.clinic.defaults.layouts)] == \
        ["exercise-sheet"]
    assert [lay.id for lay in project.select_layouts("all")] == \
        ["handout", "trifold", "poster", "booklet", "large-print", "exercise-sheet"]


def _hashes(root: Path) -> dict[str, str]:
    project = load_project(root)
    jobs = [Job("back-pain", layout, "letter", "en") for layout in ("handout", "exercise-sheet")]
    return {p.job.layout: p.inputs for p in plan(project, jobs, Options())}


def test_editing_the_layouts_own_files_rebuilds_only_its_outputs(make_project) -> None:
    root = make_project(own_layout_files())
    first = run("build", "back-pain", "--layout", "handout", "--layout", "exercise-sheet")
    assert first.exit_code == 0, first.output
    manifest = root / "dist" / "manifest.json"
    before = json.loads(manifest.read_text("utf-8"))["outputs"]
    css = root / "styles" / "exercise-sheet.css"
    css.write_text(css.read_text("utf-8") + "\n.kicker { letter-spacing: 0.02em; }\n", "utf-8")
    again = run("build", "back-pain", "--layout", "handout", "--layout", "exercise-sheet")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1].startswith("1 built, 1 unchanged, 0 failed")
    after = json.loads(manifest.read_text("utf-8"))["outputs"]
    handout, sheet = "back-pain.handout.letter.en.pdf", "back-pain.exercise-sheet.letter.en.pdf"
    assert after[handout]["inputs"] == before[handout]["inputs"]
    assert after[sheet]["inputs"] != before[sheet]["inputs"]
    # The template too: an input of the exercise sheet only.
    hashes = _hashes(root)
    template = root / "templates" / "exercise-sheet.html.j2"
    template.write_text(template.read_text("utf-8") + "{# edited #}\n", "utf-8")
    edited = _hashes(root)
    assert edited["handout"] == hashes["handout"]
    assert edited["exercise-sheet"] != hashes["exercise-sheet"]


def test_a_template_another_template_includes_stays_an_input_of_every_layout(
        make_project) -> None:
    files = own_layout_files()
    # A project copy of the package's handout template that includes the exercise sheet's
    # template (by its name): editing that one changes handouts too.
    files["templates/handout.html.j2"] = (
        (ROOT / "src/brochure/templates/handout.html.j2").read_text("utf-8")
        + '{% if false %}{% include "exercise-sheet.html.j2" %}{% endif %}\n')
    root = make_project(files)
    hashes = _hashes(root)
    template = root / "templates" / "exercise-sheet.html.j2"
    template.write_text(template.read_text("utf-8") + "{# edited #}\n", "utf-8")
    edited = _hashes(root)
    assert edited["handout"] != hashes["handout"]
    assert edited["exercise-sheet"] != hashes["exercise-sheet"]


def test_the_preview_server_plans_the_own_layout(make_project, tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from brochure.serve.builder import Builder

    files = own_layout_files()
    files["handouts/clinic.yaml"] = str(files["handouts/clinic.yaml"]).replace(
        "  language: en\n", "  language: en\n  layouts: [handout, exercise-sheet]\n")
    root = make_project(files)
    builder = Builder(root, tmp_path / "store", workers=1)
    builder.pump = lambda: None  # type: ignore[method-assign]  # plan only: render nothing
    builder.refresh()
    assert builder.problems == []
    assert sorted(builder.items) == ["back-pain.exercise-sheet.letter.en",
                                     "back-pain.handout.letter.en"]


def test_the_own_layout_previews_the_bytes_the_build_writes(make_project,
                                                            tmp_path: Path) -> None:
    """serve renders the clinic's layout with the recipe, as build does, and checks it."""
    import datetime as dt
    import hashlib

    from brochure.serve.worker import CheckRequest, RenderRequest, check_preview, render_preview

    root = make_project(own_layout_files())
    assert run("build", "back-pain", "--layout", "exercise-sheet").exit_code == 0
    built = root / "dist" / "back-pain.exercise-sheet.letter.en.pdf"
    job = Job("back-pain", "exercise-sheet", "letter", "en")
    folder = tmp_path / "preview"
    folder.mkdir()
    shown = render_preview(root, {}, RenderRequest(job, folder, folder.resolve()))
    assert shown.pdf == built.name and len(shown.pages) == 1
    assert (folder / shown.pdf).read_bytes() == built.read_bytes()
    report = check_preview(root, CheckRequest(job, folder / shown.pdf, shown.warnings,
                                              dt.date(2026, 12, 6)))
    assert report.audited == {built.name: hashlib.sha256(built.read_bytes()).hexdigest()}
    assert [f for f in report.findings if f.severity == "error"] == []
