"""Broken and hostile input: every case in tests/fixtures/bad/ gets its exact message.

Each case folder holds ``project/`` (files laid over a small valid project), ``case.txt``
(the command's arguments, files to remove) and ``expected.txt`` (the exit code, then the
exact lines the command prints on stderr). Set BROCHURE_RECORD=1 to write expected.txt
from a run, then read every message before committing it.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import minimal_files, write_tree

from brochure.cli import main

BAD = Path(__file__).parent / "fixtures" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def test_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_bad_input_case(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = BAD / case
    write_tree(tmp_path, minimal_files())
    overlay = folder / "project"
    if overlay.is_dir():
        shutil.copytree(overlay, tmp_path, symlinks=True, dirs_exist_ok=True)
    args: list[str] = []
    for line in (folder / "case.txt").read_text("utf-8").splitlines():
        key, _, value = line.partition(": ")
        if key == "args":
            args = shlex.split(value)
        elif key == "remove":
            (tmp_path / value).unlink()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args, prog_name="brochure", catch_exceptions=False)
    got = f"exit: {result.exit_code}\n{result.stderr}"
    expected_file = folder / "expected.txt"
    if os.environ.get("BROCHURE_RECORD"):
        expected_file.write_text(got, "utf-8")
    assert "Traceback" not in result.output
    assert got == expected_file.read_text("utf-8")
    assert result.exit_code in (1, 2)
    assert not list(tmp_path.glob("dist/*.pdf")), "a failed build left a PDF behind"
