"""The command line, run in-process: exit codes and the exact text a person sees."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner
from tests.conftest import CONDITION, ROOT

from brochure import __version__
from brochure.cli import main

RUN = CliRunner()


def invoke(*args: str):
    return RUN.invoke(main, list(args), catch_exceptions=False)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"brochure, version {__version__}\n"


def test_list(make_project) -> None:
    make_project()
    result = invoke("list")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Conditions:",
        "  back-pain                  Dry needling for back pain",
        "Topics:",
        "  intro                      What is dry needling?",
        "  safety                     Is dry needling safe?",
        "Layouts:",
        "  handout                    Portrait handout for the office printer or email, one "
        "brochure per condition. Papers: letter (US Letter portrait), a4 (A4 portrait).",
        "  trifold                    Letter-fold brochure, one sheet printed on both sides and "
        "folded in three. Papers: letter (US Letter landscape), a4 (A4 landscape).",
        "  poster                     One-page waiting-room poster, readable from two metres. "
        "Papers: letter (Tabloid 11 x 17 in portrait), a4 (A3 portrait).",
        "  booklet                    Small-page booklet for saddle stitching, with a copy "
        "imposed for duplex printing. Papers: letter (half Letter 5.5 x 8.5 in pages, imposed "
        "on US Letter landscape), a4 (A5 pages, imposed on A4 landscape).",
        "  large-print                The handout for readers with low vision, 17 pt type in "
        "one column. Papers: letter (US Letter portrait), a4 (A4 portrait).",
    ]


def test_build_success(make_project) -> None:
    root = make_project()
    result = invoke("build", "--paper", "a4")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\[1/1\] built back-pain\.handout\.a4\.en\.pdf \(\d+\.\d s\)", lines[0])
    assert re.fullmatch(r"1 built, 0 unchanged, 0 failed in \d+\.\d s", lines[1])
    assert (root / "dist/back-pain.handout.a4.en.pdf").is_file()


def test_content_error_exits_1_with_every_problem(make_project) -> None:
    text = CONDITION.replace("topics: [intro, safety]", "topics: [intro, safety, afercare]")
    make_project({"handouts/conditions/back-pain.yaml": text,
                  "handouts/topics/aftercare.yaml": None})
    result = invoke("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "handouts/conditions/back-pain.yaml:10:25: topics[2]: unknown topic 'afercare'; "
        "run 'brochure list' to see the topics",
        "1 problem found in the content",
    ]
    assert not Path("dist").exists()


def test_unknown_condition_is_a_usage_error(make_project) -> None:
    make_project()
    result = invoke("build", "back-pian")
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown condition 'back-pian' (did you mean 'back-pain'?); "
                             "run 'brochure list' to see them\n")


def test_bad_option_is_a_usage_error(make_project) -> None:
    make_project()
    result = invoke("build", "--paper", "a5")
    assert result.exit_code == 2
    assert "Invalid value for '--paper': 'a5' is not one of 'letter', 'a4'." in result.stderr


def test_missing_project(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("list", "--project", "nowhere")
    assert result.exit_code == 2
    assert result.stderr == "error: project folder 'nowhere' does not exist\n"


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert isinstance(main, click.Group)
    for name in main.commands:
        result = invoke(name, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output, name
        assert f"brochure {name}" in readme, f"README does not mention 'brochure {name}'"


def test_help_and_list_do_not_import_weasyprint(make_project) -> None:
    root = make_project()
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from brochure.cli import main\n"
        "r = CliRunner()\n"
        "assert r.invoke(main, ['--help']).exit_code == 0\n"
        f"assert r.invoke(main, ['list', '--project', {str(root)!r}]).exit_code == 0\n"
        f"assert r.invoke(main, ['check', '--content-only', '--project', {str(root)!r}])"
        ".exit_code == 0\n"
        "print('weasyprint' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
