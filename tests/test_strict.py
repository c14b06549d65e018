"""Warnings: printed once with a count, kept when a brochure fails, and fatal with --strict."""

from __future__ import annotations

import re

from click.testing import CliRunner
from tests.conftest import CONDITION, INTRO

from brochure.cli import main

BAD_CSS = {"styles/handout.css": "p { colour: red; }\n"}
# The line is the rule's line in the composed stylesheet (package styles, then the project's).
WARNING = r"W001 Ignored `colour: red` at \d+:5, unknown property\."
NECK = CONDITION.replace("back pain", "neck pain").replace("Back pain", "Neck pain")


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="brochure", catch_exceptions=False)


def test_a_warning_is_printed_with_its_brochure(make_project) -> None:
    make_project(BAD_CSS)
    result = run("build", "--jobs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    [line] = result.stderr.splitlines()
    assert re.fullmatch(f"warning: back-pain.handout.letter.en.pdf: {WARNING}", line)


def test_the_same_warning_for_every_brochure_is_printed_once_with_a_count(make_project) -> None:
    make_project({**BAD_CSS, "handouts/conditions/neck-pain.yaml": NECK})
    result = run("build", "--jobs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    [line] = result.stderr.splitlines()
    assert re.fullmatch(f"warning: {WARNING} \\(in 2 brochures, the first "
                        "back-pain.handout.letter.en.pdf\\)", line)


def test_warnings_are_printed_when_another_brochure_fails(make_project) -> None:
    root = make_project({**BAD_CSS, "handouts/conditions/neck-pain.yaml": NECK,
                         "templates/handout.html.j2":
                         "{% extends 'base.html.j2' %}{% block body %}"
                         "{% if b.id == 'neck-pain' %}{{ nothing.here }}{% endif %}"
                         "<p>{{ b.title }}</p>{% endblock %}"})
    result = run("build", "--jobs", "1", "--quiet")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert re.fullmatch(f"warning: back-pain.handout.letter.en.pdf: {WARNING}", lines[0])
    assert lines[1].startswith("error: neck-pain.handout.letter.en.pdf: ")
    assert lines[-1] == ("error: 1 of 2 brochures failed; the others were built; fix the "
                         "errors above and build again")
    assert (root / "dist/back-pain.handout.letter.en.pdf").is_file()


def test_strict_fails_a_brochure_weasyprint_warns_about_and_writes_nothing(make_project) -> None:
    root = make_project(BAD_CSS)
    result = run("build", "--strict", "--jobs", "1", "--quiet")
    assert result.exit_code == 1
    first, last = result.stderr.splitlines()
    assert re.fullmatch(
        "error: back-pain.handout.letter.en.pdf: 1 WeasyPrint warning in strict mode, so "
        f"nothing was written: {WARNING}; fix the stylesheet or template, ignore its code "
        "with --ignore, or build without --strict", first)
    assert last == "error: 1 of 1 brochure failed; fix the errors above and build again"
    assert not (root / "dist/back-pain.handout.letter.en.pdf").exists()
    # Fixed, the strict build passes.
    (root / "styles/handout.css").write_text("p { color: #1f2933; }\n")
    assert run("build", "--strict", "--jobs", "1", "--quiet").exit_code == 0
    assert (root / "dist/back-pain.handout.letter.en.pdf").is_file()


def test_strict_stops_on_a_content_warning_before_anything_is_built(make_project) -> None:
    intro = INTRO.replace("low: 70, words: about seven in ten, source: article",
                          "low: 70, words: about seven in ten")
    root = make_project({"handouts/topics/intro.yaml": intro})
    assert run("build", "--jobs", "1", "--quiet").exit_code == 0  # a warning only
    (root / "dist").rename(root / "old")
    result = run("build", "--strict", "--jobs", "1", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "handouts/topics/intro.yaml:26:9: H001 warning: figure 'Back pain' has no source; add "
        "'source:' naming one of the file's sources",
        "the check found 0 errors and 1 warning (strict mode); nothing was built"]
    assert not (root / "dist").exists()
