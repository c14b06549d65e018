"""The README and the documentation site: every shell example works as a user types it."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from tests.conftest import ROOT

from brochure.cli import main

RUN = CliRunner()
DOCS = ROOT / "docs"
SHELL = {"sh", "bash", "console", "shell"}
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
# Programs an example may start with besides `brochure` and `make`: each was thought about.
OTHER_PROGRAMS = {
    "sudo",      # sudo apt-get install ...: the system packages
    "apt-get",
    "pip",       # pip install 'brochure[serve]' and the other extras
    "git",
    "source",    # source .venv/bin/activate
    "cd",
    "ls",
    "python",    # .venv/bin/python bench/run.py ...
    "keyring",   # keyring set brochure-smtp ...: the SMTP password
    "sbatch",    # a Slurm job array of shards
}
OPERATORS = {"|", "||", "&", "&&", ";", ">", ">>", "<", "2>", "(", ")"}
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.text}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def shell_examples(path: Path) -> list[Example]:
    """Return every command line of the shell code blocks of a Markdown file."""
    page = path.relative_to(ROOT).as_posix()
    found: list[Example] = []
    lang: str | None = None
    console = False
    pending = ""
    start = 0
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        fence = FENCE.match(raw)
        if fence:
            lang = None if lang is not None else fence["lang"]
            console = lang == "console"
            continue
        if lang not in SHELL:
            continue
        line = raw.strip()
        if not pending:
            if console:
                if not line.startswith("$ "):
                    continue  # a console block's output
                line = line[2:]
            if not line or line.startswith("#"):
                continue
            start = number
        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        found.append(Example(page, start, pending))
        pending = ""
    assert lang is None, f"{page}: a code block is not closed"
    return found


def words(example: Example) -> list[str]:
    """Split a command line as the shell would, up to its first pipe or redirection."""
    lexer = shlex.shlex(example.text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    tokens = []
    for token in lexer:
        if token in OPERATORS:
            break
        tokens.append(token)
    while tokens and ENV_ASSIGNMENT.match(tokens[0]):
        tokens.pop(0)  # BROCHURE_DEBUG=1 brochure ...
    return tokens


def every_example() -> list[Example]:
    return [example for path in pages() for example in shell_examples(path)]


def parse(args: list[str]) -> list[str]:
    """Parse a `brochure` command line with Click down to its last subcommand, running nothing.

    Return the names of the commands it resolved to, such as ['translations', 'export'].
    """
    names: list[str] = []
    command: click.Command = main
    ctx = command.make_context("brochure", list(args), resilient_parsing=False)
    while isinstance(command, click.Group):
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            break
        name, sub, rest = command.resolve_command(ctx, rest)
        assert name is not None and sub is not None
        names.append(name)
        ctx = sub.make_context(name, rest, parent=ctx, resilient_parsing=False)
        command = sub
    return names


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text("utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, re.MULTILINE))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project made by `brochure init`, as a reader has one, with the cwd inside it.

    The PO files the examples import are the ones `brochure translations export` writes.
    """
    monkeypatch.chdir(tmp_path)
    assert RUN.invoke(main, ["init", "my-clinic", "--name", "Riverside Physio"]).exit_code == 0
    root = tmp_path / "my-clinic"
    monkeypatch.chdir(root)
    for lang in ("es", "pt"):
        result = RUN.invoke(main, ["translations", "export", "--lang", lang])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"wrote translations.{lang}.po ")
    return root


def test_the_pages_have_shell_examples() -> None:
    found = every_example()
    assert len(found) > 60
    assert {e.page for e in found} >= {"README.md", "docs/getting-started.md", "docs/cli.md"}


def test_every_brochure_example_parses(project: Path) -> None:
    parsed = 0
    for example in every_example():
        args = words(example)
        if Path(args[0]).name != "brochure":
            continue
        try:
            parse(args[1:])
        except click.exceptions.Exit as done:  # --help and --version print and stop
            assert done.exit_code == 0, str(example)
        except click.ClickException as exc:
            pytest.fail(f"{example}\n  {exc.format_message()}")
        parsed += 1
    assert parsed > 50


def test_every_command_is_in_an_example(project: Path) -> None:
    commands: set[str] = set()
    for example in every_example():
        args = words(example)
        if Path(args[0]).name == "brochure" and not {"--help", "--version"} & set(args):
            commands.update(parse(args[1:])[:1])
    assert isinstance(main, click.Group)
    assert commands >= set(main.commands)


def test_every_make_target_in_an_example_exists() -> None:
    targets = makefile_targets()
    assert {"brochures", "test"} <= targets
    missing = []
    for example in every_example():
        args = words(example)
        if args[0] == "make":
            named = [a for a in args[1:] if not a.startswith("-") and "=" not in a]
            assert named, str(example)
            missing += [f"{example} (no target '{t}')" for t in named if t not in targets]
    assert missing == []


def test_every_example_starts_with_a_known_program() -> None:
    unknown = [str(example) for example in every_example()
               if Path(words(example)[0]).name not in {"brochure", "make", *OTHER_PROGRAMS}]
    assert unknown == []


def test_the_readme_names_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make brochures   # creates or reuses .venv from uv.lock" in readme
    assert "make test        # ruff, mypy, the docs built with --strict" in readme


def test_getting_started_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = RUN.invoke(main, ["init", "my-clinic", "--name", "Riverside Physio"])
    assert result.exit_code == 0, result.output
    assert result.output == ("created my-clinic (74 files); edit my-clinic/handouts/clinic.yaml "
                             "first\n")
    monkeypatch.chdir(tmp_path / "my-clinic")

    result = RUN.invoke(main, ["list"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "Conditions:", "  back-pain                  Dry needling for back pain"]

    # Until the clinic writes its emergency number and after-hours advice, check says so.
    result = RUN.invoke(main, ["check", "--content-only", "--lang", "en"])
    assert result.exit_code == 1
    assert result.output.count("is still the placeholder from 'brochure init'") == 3

    clinic = Path("handouts/clinic.yaml")
    text = clinic.read_text("utf-8")
    for placeholder, value in (('number: "FILL IN"', 'number: "911"'),
                               ('words: "FILL IN"', "words: ambulance"),
                               ('after_hours: "FILL IN"', "after_hours: Call your doctor.")):
        assert placeholder in text
        text = text.replace(placeholder, value)
    clinic.write_text(text, "utf-8")

    result = RUN.invoke(main, ["check", "--content-only", "--lang", "en", "--strict"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "14 brochures checked: 0 errors, 0 warnings; passed (strict: warnings count as errors)")

    result = RUN.invoke(main, ["translations"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == [
        "Language", "Translated", "Missing", "Stale", "Unreviewed"]


def nav_pages(entries: list[object]) -> list[str]:
    found: list[str] = []
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            found += nav_pages(value)
        else:
            assert isinstance(value, str)
            found.append(value)
    return found


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    assert config["docs_dir"] == "docs"
    nav = nav_pages(config["nav"])
    assert len(nav) == len(set(nav))
    assert sorted(nav) == sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


def test_the_cli_reference_is_generated_from_the_commands() -> None:
    text = (DOCS / "cli.md").read_text("utf-8")
    assert ("::: mkdocs-click\n    :module: brochure.cli\n    :command: main\n"
            "    :prog_name: brochure\n") in text


def test_every_picture_in_the_pages_exists() -> None:
    missing = []
    for path in pages():
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", path.read_text("utf-8")):
            if not (path.parent / target).is_file():
                missing.append(f"{path.relative_to(ROOT)}: {target}")
    assert missing == []


def test_the_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text("utf-8").splitlines()
    assert len(lines) <= 150
