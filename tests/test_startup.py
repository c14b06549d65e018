"""`brochure --help` answers from stored text without importing Click, and that text is
exactly what Click prints. BROCHURE_UPDATE_HELP=1 rewrites the stored text."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brochure import helptext

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "brochure"
STORED = ROOT / "src" / "brochure" / "helptext.py"


def run(command: list[str], columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def click_help(columns: int) -> str:
    """Return the top-level help as Click itself prints it for the console script."""
    code = ("import sys; sys.argv[0] = 'brochure'; from brochure.cli import main; main()")
    done = run([sys.executable, "-c", code, "--help"], columns)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_stored_help_is_what_click_prints() -> None:
    printed = click_help(80)
    if printed != helptext.TOP and os.environ.get("BROCHURE_UPDATE_HELP") == "1":
        head = STORED.read_text("utf-8").split("TOP = ", 1)[0]
        readable = '"""' not in printed and "\\" not in printed and printed.endswith("\n")
        value = f'"""\\\n{printed}"""' if readable else repr(printed)
        STORED.write_text(f"{head}TOP = {value}\n", "utf-8")
        importlib.reload(helptext)
    assert printed == helptext.TOP, (
        "src/brochure/helptext.py is out of date: run "
        "BROCHURE_UPDATE_HELP=1 .venv/bin/python -m pytest tests/test_startup.py")
    assert click_help(240) == printed  # Click wraps at 78 from 80 columns up


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize("columns", [None, 80, 200])
def test_console_script_prints_the_stored_help(flag: str, columns: int | None) -> None:
    done = run([str(SCRIPT), flag], columns)
    assert (done.returncode, done.stdout, done.stderr) == (0, helptext.TOP, "")


def test_narrow_terminal_and_other_commands_go_to_click() -> None:
    narrow = run([str(SCRIPT), "--help"], 60)
    assert narrow.returncode == 0
    assert narrow.stdout == click_help(60) != helptext.TOP
    build = run([str(SCRIPT), "build", "--help"])
    assert build.returncode == 0 and build.stdout.startswith("Usage: brochure build")
    version = run([str(SCRIPT), "--version"])
    assert version.returncode == 0 and "brochure" in version.stdout


def test_stored_help_imports_neither_click_nor_weasyprint() -> None:
    code = ("import sys; sys.argv = ['brochure', '--help']; from brochure.launch import main; "
            "main(); print(sorted({m.split('.')[0] for m in sys.modules} "
            "& {'click', 'weasyprint', 'pydantic', 'jinja2', 'yaml'}), file=sys.stderr)")
    done = run([sys.executable, "-c", code], 200)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr.strip()) == (helptext.TOP, "[]")
