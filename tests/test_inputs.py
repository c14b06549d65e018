"""Every file a command is given (a note, a name, a PO file, the mail settings, standard
input) is read by one helper with the loader's rules: a regular file, a size limit counted
as it is read, UTF-8, no control characters. Each refusal is one line, exit 2, and nothing
is written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import CLINIC

from brochure.cli import main

LANGUAGES = CLINIC.replace("  language: en\n", "  language: en\n  languages: [en, es]\n")
TO_STDIN = " (or - to read standard input)"

# (command line before the file, the option, the byte limit, what to do when over it)
INPUTS = {
    "personalise --note-file": (
        ["personalise", "back-pain", "--patient", "Ana", "--out", "copy.pdf", "--note-file"],
        "--note-file ", 16_384, "a note is at most 1,200 characters"),
    "personalise --patient-file": (
        ["personalise", "back-pain", "--out", "copy.pdf", "--patient-file"],
        "--patient-file ", 4_096, "a name is at most 80 characters"),
    "send --note-file": (
        ["send", "back-pain", "--patient", "Ana", "--to", "ana@example.test", "--dry-run",
         "--out", "message.eml", "--note-file"],
        "--note-file ", 16_384, "a note is at most 1,200 characters"),
    "send --patient-file": (
        ["send", "back-pain", "--to", "ana@example.test", "--dry-run", "--out",
         "message.eml", "--patient-file"],
        "--patient-file ", 4_096, "a name is at most 80 characters"),
    "translations import": (
        ["translations", "import", "--lang", "es"],
        "", 8_388_608, "split it by language or export a new one"),
}


@pytest.fixture(autouse=True)
def never_waits() -> Iterator[None]:
    """A read that waits (a FIFO, an endless device) fails the test instead of hanging it."""
    def late(signum: int, frame: object) -> None:
        raise TimeoutError("the command waited for its input")

    previous = signal.signal(signal.SIGALRM, late)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def project(make_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BROCHURE_SMTP_CONFIG", str(tmp_path / "no-smtp.toml"))
    return make_project({"handouts/clinic.yaml": LANGUAGES.replace(
        "  phone:", "  email: hello@test-clinic.test\n  phone:")})


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def invoke(args: list[str], input: bytes | str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, input=input, prog_name="brochure")
    return result.exit_code, result.stdout, result.stderr


def refused(project: Path, key: str, name: str, *, input: bytes | str | None = None) -> str:
    """Run the command on ``name``; assert exit 2, one line, nothing written; return it."""
    before = snapshot(project)
    head, _, _, _ = INPUTS[key]
    args = [*head, name] if key != "translations import" else [*head[:2], name, *head[2:]]
    code, out, err = invoke(args, input=input)
    assert (code, out) == (2, ""), (key, err)
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert snapshot(project) == before
    return err.removeprefix("error: ").rstrip("\n")


@pytest.mark.parametrize("key", sorted(INPUTS))
def test_a_path_that_is_not_a_regular_file_is_refused_without_waiting(
        project: Path, key: str) -> None:
    _, label, _, _ = INPUTS[key]
    os.mkfifo("fifo")
    Path("zero").symlink_to("/dev/zero")
    Path("folder").mkdir()
    assert refused(project, key, "fifo") == (
        f"{label}fifo: it is a named pipe (FIFO), not a file; give a regular file{TO_STDIN}")
    assert refused(project, key, "/dev/zero") == (
        f"{label}/dev/zero: it is a device, not a file; give a regular file{TO_STDIN}")
    assert refused(project, key, "zero") == (
        f"{label}zero: it is a device, not a file; give a regular file{TO_STDIN}")
    assert refused(project, key, "folder") == (
        f"{label}folder: it is a folder, not a file; give a regular file{TO_STDIN}")
    assert refused(project, key, "missing.txt") == (
        f"{label}missing.txt: cannot read it: No such file or directory")
    assert refused(project, key, "a\nb.txt") == (
        f"{label}'a\\x0ab.txt' holds a control character; give a plain file name")


@pytest.mark.parametrize("key", sorted(INPUTS))
def test_a_file_is_bounded_utf8_plain_text(project: Path, key: str) -> None:
    _, label, limit, hint = INPUTS[key]
    Path("big.txt").write_bytes(b"a" * (limit + 1))
    Path("latin1.txt").write_bytes("Ana\nPe\u00f1a\n".encode("latin-1"))
    Path("escape.txt").write_text("Ana \x1b[2J\n", "utf-8")
    Path("bell.txt").write_text("Ana\r\n\r\nPe\x07\n", "utf-8")
    assert refused(project, key, "big.txt") == (
        f"{label}big.txt: more than {limit:,} bytes; {hint}")
    assert refused(project, key, "latin1.txt") == (
        f"{label}latin1.txt:2:3: byte 0xf1 is not UTF-8 text; save the file as UTF-8")
    assert refused(project, key, "escape.txt") == (
        f"{label}escape.txt:1:5: the file holds the control character U+001B, which does "
        "not print; delete it")
    assert refused(project, key, "bell.txt") == (  # CRLF line ends are text, a bell is not
        f"{label}bell.txt:3:3: the file holds the control character U+0007, which does "
        "not print; delete it")


@pytest.mark.parametrize("key", sorted(INPUTS))
def test_standard_input_is_bounded_too(project: Path, key: str) -> None:
    _, label, limit, hint = INPUTS[key]
    assert refused(project, key, "-", input=b"a" * (limit + 1)) == (
        f"{label}- (standard input): more than {limit:,} bytes; {hint}")
    assert refused(project, key, "-", input="Ana\x1b]0;owned\x07\n") == (
        f"{label}- (standard input):1:4: the file holds the control character U+001B, "
        "which does not print; delete it")


def test_dev_zero_as_standard_input_stops_at_the_limit(project: Path) -> None:
    # What --note-file /dev/zero did before: read 2.7 GB, then fail with MemoryError.
    with Path("/dev/zero").open("rb") as zero:
        done = subprocess.run([sys.executable, "-m", "brochure", "personalise", "back-pain",
                               "--patient", "Ana", "--note-file", "-", "--out", "copy.pdf"],
                              stdin=zero, capture_output=True, text=True, timeout=60,
                              check=False)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", (
        "error: --note-file - (standard input): more than 16,384 bytes; a note is at most "
        "1,200 characters\n"))
    assert not Path("copy.pdf").exists()


def test_a_name_and_a_note_from_files_or_standard_input(project: Path,
                                                        tmp_path: Path) -> None:
    from pypdf import PdfReader

    Path("name.txt").write_text("\ufeff  Ana\n  P\u00e9rez \r\n", "utf-8")  # BOM, CRLF, spaces
    code, _, err = invoke(["personalise", "back-pain", "--patient-file", "name.txt",
                             "--note-file", "-", "--out", str(tmp_path / "copy.pdf")],
                            input="Walk for *ten* minutes.\n")
    assert (code, err) == (0, ""), err
    words = " ".join(" ".join((p.extract_text() or "") for p in
                              PdfReader(tmp_path / "copy.pdf").pages).split())
    assert "Prepared for Ana P\u00e9rez by Test Clinic" in words
    assert "Walk for ten minutes." in words


def test_standard_input_serves_one_of_name_and_note(project: Path) -> None:
    assert invoke(["personalise", "back-pain", "--patient-file", "-", "--note-file", "-",
                   "--out", "copy.pdf"], input="Ana\n") == (2, "", (
        "error: --patient-file and --note-file cannot both read standard input (-); give "
        "one of them a file\n"))


def test_the_mail_settings_are_read_by_the_same_helper(
        project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = tmp_path_factory.mktemp("config") / "smtp.toml"  # outside the project
    for raw, message in [
        (b"host = 'x'\n" + b"#" * 70_000, ": more than 65,536 bytes; give a smaller file"),
        (b"host = 'caf\xe9'\n", ":1:12: byte 0xe9 is not UTF-8 text; save the file as UTF-8"),
        (b"host = 'x'\x1b[2J\n", ":1:11: the file holds the control character U+001B, "
         "which does not print; delete it"),
    ]:
        settings.write_bytes(raw)
        settings.chmod(0o600)
        code, _, err = invoke(["send", "back-pain", "--patient", "Ana", "--to",
                               "ana@example.test", "--smtp-config", str(settings)])
        assert (code, err) == (2, f"error: {settings}{message}\n")
