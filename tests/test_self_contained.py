"""The repository stands alone: nothing in it reads a folder beside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from article_runs import run_hashes, words
from test_content_library import copied_runs

ROOT = Path(__file__).resolve().parents[1]
REGEN = "tests/tools/regen_article_data.py"  # the one file that may name where the article is
# Built from parts so that this file does not match itself.
_FOLDER = "sha" + "red"
OUTSIDE = re.compile(rf"\.\./{_FOLDER}\b|\b{_FOLDER}/seed\b")
SKIP = {".git", ".venv", "dist", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache",
        ".pytest_cache", ".hypothesis", ".build-cache"}


def tracked_files() -> list[Path]:
    """Return the files git tracks, or every file of the tree outside a git checkout."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout
        return [ROOT / name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*")
                if p.is_file() and not SKIP.intersection(p.relative_to(ROOT).parts)]


def referring_files(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel == REGEN or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        if OUTSIDE.search(text):
            found.append(rel)
    return found


def test_no_tracked_file_refers_to_a_folder_beside_the_repository() -> None:
    files = tracked_files()
    assert len(files) > 50
    assert referring_files(files) == []


def test_the_reference_check_finds_a_reference(tmp_path: Path) -> None:
    sneaky = ROOT / "tests" / "data" / "_probe_outside.txt"
    sneaky.write_text(f"open('../{_FOLDER}/se" + "ed/x.txt')\n", encoding="utf-8")
    try:
        assert referring_files([sneaky]) == ["tests/data/_probe_outside.txt"]
    finally:
        sneaky.unlink()


def test_the_copy_check_catches_a_copied_run() -> None:
    source = "One two three four five six seven eight nine ten eleven twelve."
    runs = run_hashes(words(source))
    assert copied_runs(iter(["We say: three four five six seven eight nine ten eleven "
                             "twelve, and more."]), runs) == [
        "three four five six seven eight nine ten eleven twelve"]
    assert copied_runs(iter(["three four five six seven eight nine ten eleven"]), runs) == []
