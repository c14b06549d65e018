"""``brochure init``: a new clinic project from the defaults shipped inside the package."""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from pathlib import Path

from brochure.checks.safety import PLACEHOLDER
from brochure.content.assets import package_styles_dir, starter_assets_dir, starter_handouts_dir
from brochure.content.load import load_yaml
from brochure.content.plaintext import text_problem
from brochure.errors import UsageError, display_path

STARTER_README = """\
# {name}: patient brochures

Edit the content in handouts/ (start with handouts/clinic.yaml), then run:

    brochure check      # readability, sources, accessibility
    brochure build      # one PDF per condition in dist/

Your own styles/ files override the built-in ones file by file.
"""


def init_project(target: Path, *, name: str | None = None) -> list[Path]:
    """Copy the starter content and styles into ``target``; never overwrite anything.

    Everything is checked before the first file is written, and the project is written
    in a hidden folder beside ``target`` and moved into place at the end: a failure on the
    way leaves nothing behind, so the same command can simply be run again.
    """
    if name is not None:
        name = clinic_name(name)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{display_path(target)} already exists and is not empty; "
                         "choose a new folder (init never overwrites a project)")
    handouts, styles = starter_handouts_dir(), package_styles_dir()
    if not handouts.is_dir() or not styles.is_dir():
        raise UsageError("the package's starter files are missing; reinstall brochure")
    parent = target.absolute().parent
    made = next((p for p in reversed([parent, *parent.parents]) if not p.exists()), None)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # a file stands where a folder must be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target)) \
            from None
    work = parent / f".{target.name}.init-{secrets.token_hex(4)}"
    work.mkdir()
    moved: list[Path] = []
    try:
        _write_starter(work, name)
        if target.is_dir():  # an empty folder that is already there: fill it
            for child in sorted(work.iterdir()):
                child.rename(target / child.name)
                moved.append(target / child.name)
            work.rmdir()
        else:
            work.rename(target)
    except BaseException:
        for path in [*moved, work, *([made] if made else [])]:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.lexists(path):
                path.unlink()
        raise
    return sorted(p for p in target.rglob("*") if p.is_file())


def clinic_name(name: str) -> str:
    """Return ``init --name`` checked as the clinic's name in clinic.yaml is checked."""
    if not name.strip():
        raise UsageError("--name is empty; give the clinic's name, or leave --name out")
    if (problem := text_problem(name)) is not None:
        raise UsageError(f"--name {problem}")
    return name.strip()


def _write_starter(target: Path, name: str | None) -> None:
    handouts, styles = starter_handouts_dir(), package_styles_dir()
    shutil.copytree(handouts, target / "handouts")
    shutil.copytree(styles, target / "styles")
    (target / "assets").mkdir()
    if (logo := starter_assets_dir() / "logo.svg").is_file():  # the example logo
        shutil.copy2(logo, target / "assets" / "logo.svg")
    clinic_name = name or "Example Physio & Dry Needling Clinic"
    (target / "README.md").write_text(STARTER_README.format(name=clinic_name), "utf-8")
    clinic_file = target / "handouts" / "clinic.yaml"
    if name is not None:
        _set_value(clinic_file, ("name",), name)
        _set_value(clinic_file, ("logo", "alt"), f"{name} logo")
    # Only the clinic knows these; 'brochure check' reports the placeholder until it is
    # replaced, while a build still works so the new project can be tried at once.
    for loc, value in PLACEHOLDERS.items():
        _set_value(clinic_file, loc, value)
    _translated_placeholders(clinic_file, name)


def _translated_placeholders(clinic_file: Path, name: str | None) -> None:
    """Leave the placeholder in each translated clinic text too (clinic.es.yaml, ...).

    The example clinic's Spanish and French emergency and after-hours lines read like real
    advice, so a clinic could print them unchanged; 'brochure check' reports the
    placeholder in every language until the clinic writes its own. Each translation then
    records the hash of the starter clinic.yaml it matches, so it is not reported as stale.
    """
    from brochure.content.models import Clinic
    from brochure.content.translate import clinic_hash
    from brochure.content.validate import validate

    source = clinic_hash(validate(Clinic, load_yaml(clinic_file)))
    for path in sorted(clinic_file.parent.glob("clinic.*.yaml")):
        for loc in TRANSLATED_PLACEHOLDERS:
            _set_value(path, loc, PLACEHOLDER)
        if name is not None:  # the logo's alt text names the new clinic in every language
            pattern = LOGO_ALT.get(path.name.split(".")[1], "{name}")
            _set_value(path, ("logo_alt",), pattern.format(name=name))
        _set_value(path, ("translation", "source"), source)


# Short, so the boxes that print them still fit the tri-fold's panels.
PLACEHOLDERS: dict[tuple[str, ...], str] = {
    ("emergency", "number"): PLACEHOLDER,
    ("emergency", "words"): PLACEHOLDER,
    ("after_hours",): PLACEHOLDER,
}
# The logo's alt text in the starter's translated clinic texts, for `init --name`.
LOGO_ALT = {"es": "Logotipo de {name}", "fr": "Logo de {name}"}
# The same texts in clinic.<lang>.yaml (its emergency number is clinic.yaml's).
TRANSLATED_PLACEHOLDERS: tuple[tuple[str, ...], ...] = (("emergency_words",), ("after_hours",))


def _set_value(clinic_file: Path, loc: tuple[str, ...], value: str) -> None:
    """Replace a one-line value in a starter clinic file, keeping the file's comments."""
    loaded = load_yaml(clinic_file)
    if loc not in loaded.marks:
        return
    line, column = loaded.where(loc)
    lines = clinic_file.read_text("utf-8").splitlines(keepends=True)
    # a JSON string is a valid double-quoted YAML scalar, whatever the value holds
    old = lines[line - 1]
    quoted = json.dumps(value, ensure_ascii=False)
    lines[line - 1] = old[: column - 1] + quoted + _comment(old) + "\n"
    clinic_file.write_text("".join(lines), "utf-8")


def _comment(line: str) -> str:
    """Return the trailing comment of a YAML line (with its spacing), or an empty string."""
    at = line.find("  #")
    return line[at:].rstrip("\n") if at >= 0 else ""
