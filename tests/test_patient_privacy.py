"""Nothing about a patient outlives personalise or send: no temporary file, no core dump,
and the name need not be on the command line, where other users see it.

These run the real command in a process of its own, with TMPDIR an empty folder, and
stop it or its renderer as a person or the kernel would.
"""

from __future__ import annotations

import os
import pty
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import CLINIC, CONDITION, wait_until
from tests.test_shutdown import SLOW, _session_members

PATIENT = "Zebedee Quillfeather"
CLINIC_WITH_EMAIL = CLINIC.replace("  phone:", "  email: hello@test-clinic.test\n  phone:")
STOPPED = "stopped; finished files are complete, unfinished ones were not written"


@pytest.fixture
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an empty folder for TMPDIR, outside the project."""
    return tmp_path_factory.mktemp("tmpdir")


def start(root: Path, tmp: Path, *args: str, core: bool = False,
          stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """Start ``brochure ARGS`` in the project with TMPDIR=tmp; ``core`` allows core dumps."""
    def allow_core() -> None:
        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))

    return subprocess.Popen([sys.executable, "-m", "brochure", *args], cwd=root,
                            env={**os.environ, "TMPDIR": str(tmp)}, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=allow_core if core else None)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    assert wait_until(lambda: not _session_members(process.pid), 30), "a process outlived it"
    return process.returncode, out, err


def renderer(process: subprocess.Popen[str]) -> int:
    """Return the pid of the renderer process the command started."""
    found: list[int] = []

    def started() -> bool:
        found[:] = [pid for pid in _session_members(process.pid) if pid != process.pid]
        return bool(found)

    assert wait_until(started, 60)
    return found[0]


def test_no_temporary_file_is_left_after_success_or_failure(make_project, tmp_path: Path,
                                                            tmp: Path) -> None:
    root = make_project({"handouts/clinic.yaml": CLINIC_WITH_EMAIL})
    (tmp_path / "name.txt").write_text(PATIENT, "utf-8")
    who = ["--patient-file", str(tmp_path / "name.txt"), "--note", "Walk daily."]
    done = finish(start(root, tmp, "personalise", "back-pain", *who,
                        "--out", str(tmp_path / "copy.pdf")))
    assert done[0] == 0, done
    assert list(tmp.iterdir()) == []
    done = finish(start(root, tmp, "send", "back-pain", *who, "--to", "ana@example.test",
                        "--dry-run", "--out", str(tmp_path / "message.eml")))
    assert done[0] == 0, done
    assert list(tmp.iterdir()) == []
    # A copy the renderer fails on (its logo is no image), once fonts were made for it.
    (root / "assets").mkdir()
    (root / "assets/logo.png").write_bytes(b"not an image")
    (root / "handouts/clinic.yaml").write_text(
        CLINIC_WITH_EMAIL + "logo:\n  file: assets/logo.png\n  alt: Test Clinic logo\n", "utf-8")
    for command in (["personalise", "back-pain", *who, "--out", str(tmp_path / "two.pdf")],
                    ["send", "back-pain", *who, "--to", "ana@example.test", "--dry-run",
                     "--out", str(tmp_path / "two.eml")]):
        assert finish(start(root, tmp, *command)) == (1, "", (
            "error: handouts/clinic.yaml:16:16: cannot use the image 'assets/logo.png': it "
            "is not an image the renderer can read; save it as PNG, JPEG or SVG\n"))
        assert list(tmp.iterdir()) == []
        assert not list(tmp_path.glob("two.*"))


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130),
                                              (signal.SIGHUP, 129)])
def test_a_stopped_copy_leaves_nothing(make_project, tmp_path: Path, tmp: Path, signum: int,
                                       code: int) -> None:
    root = make_project()
    (root / "handouts/conditions/back-pain.yaml").write_text(SLOW, "utf-8")
    copy = start(root, tmp, "personalise", "back-pain", "--patient", PATIENT,
                 "--out", str(tmp_path / "copy.pdf"))
    renderer(copy)
    # Stopped while its renderer renders: the fonts made for the copy are in TMPDIR.
    assert wait_until(lambda: any(tmp.glob("brochure-build-*/brochure-fonts-*")), 60)
    os.kill(copy.pid, signum)
    assert finish(copy) == (code, "", STOPPED + "\n")
    assert list(tmp.iterdir()) == []
    assert not (tmp_path / "copy.pdf").exists()


def _writes_core_files() -> bool:
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    return not pattern.startswith("|") and "/" not in pattern and \
        resource.getrlimit(resource.RLIMIT_CORE)[1] != 0


needs_core_files = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _writes_core_files(),
    reason="the kernel writes core files elsewhere here (or may not write any)")


@needs_core_files
def test_a_worker_that_crashes_leaves_no_core_file_and_no_folder(
        make_project, tmp_path: Path, tmp: Path) -> None:
    root = make_project()
    (root / "handouts/conditions/back-pain.yaml").write_text(SLOW, "utf-8")
    copy = start(root, tmp, "personalise", "back-pain", "--patient", PATIENT, "--note",
                 "Walk daily.", "--out", str(tmp_path / "copy.pdf"), core=True)
    pid = renderer(copy)
    assert wait_until(lambda: any(tmp.glob("brochure-build-*/brochure-fonts-*")), 60)
    limits = Path(f"/proc/{pid}/limits").read_text()
    assert [line.split()[4] for line in limits.splitlines()
            if line.startswith("Max core file size")] == ["0"]
    os.kill(pid, signal.SIGSEGV)
    assert finish(copy) == (1, "", "error: the worker process died (out of memory or "
                                   "killed); the brochure was not written\n")
    assert sorted(p.name for p in root.iterdir()) == ["handouts"]  # no core file
    assert list(tmp.iterdir()) == []
    assert not (tmp_path / "copy.pdf").exists()


@needs_core_files
def test_the_command_itself_dumps_no_core_and_its_folder_goes_with_the_next_run(
        make_project, tmp_path: Path, tmp: Path) -> None:
    root = make_project()
    (root / "handouts/conditions/back-pain.yaml").write_text(SLOW, "utf-8")
    copy = start(root, tmp, "personalise", "back-pain", "--patient", PATIENT,
                 "--out", str(tmp_path / "copy.pdf"), core=True)
    renderer(copy)
    os.kill(copy.pid, signal.SIGSEGV)  # nothing runs after this: no cleaning up
    assert finish(copy)[0] == -signal.SIGSEGV
    assert sorted(p.name for p in root.iterdir()) == ["handouts"]  # no core file
    [left] = tmp.iterdir()
    assert left.name.startswith("brochure-build-")
    (root / "handouts/conditions/back-pain.yaml").write_text(CONDITION, "utf-8")
    assert finish(start(root, tmp, "personalise", "back-pain", "--patient", PATIENT,
                        "--out", str(tmp_path / "copy.pdf")))[0] == 0
    assert list(tmp.iterdir()) == []  # the next run removed what the killed one left


@needs_core_files
def test_a_worker_for_a_patient_dumps_no_core(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker turns core dumps off itself: a mark that its parent cannot pass on."""
    import engine_jobs
    from brochure.engine import Engine

    _, hard = resource.getrlimit(resource.RLIMIT_CORE)

    def crash(private: bool) -> list[str]:
        folder = tmp_path / ("private" if private else "plain")
        folder.mkdir()
        monkeypatch.chdir(folder)  # a core file lands in the worker's current folder
        with Engine(1, private=private) as engine:
            # Its first job runs once WeasyPrint is imported.
            assert engine.submit("a", setup=engine_jobs.setup, describe=str).result == "A"
            [pid] = engine.pids()
            os.kill(pid, signal.SIGSEGV)
            with pytest.raises(Exception, match="the worker process died"):
                engine.submit("b", setup=engine_jobs.setup, describe=str)
        return sorted(p.name for p in folder.iterdir())

    soft, _ = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))  # as 'ulimit -c unlimited'
    try:
        plain, private = crash(False), crash(True)
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
    assert plain == ["core"]  # what a crash with 'ulimit -c unlimited' writes, here
    assert private == []


def _in_a_terminal(root: Path, tmp: Path, args: list[str], answer: str) -> tuple[int, str, str]:
    """Run brochure ARGS in a terminal; answer its first question; return code, output and
    the command line other users saw while it ran."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as its standard streams
        os.chdir(root)
        os.environ["TMPDIR"] = str(tmp)
        os.execv(sys.executable, [sys.executable, "-m", "brochure", *args])
    output, seen, end = b"", "", time.monotonic() + 120
    while time.monotonic() < end:
        if not select.select([fd], [], [], 0.2)[0]:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal closed: the command is done
            break
        if not chunk:
            break
        output += chunk
        if not seen and b": " in output:
            seen = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            os.write(fd, answer.encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode().replace("\r\n", "\n"), seen


def test_in_a_terminal_the_name_is_asked_for_not_put_on_the_command_line(
        make_project, tmp_path: Path, tmp: Path) -> None:
    from pypdf import PdfReader

    root = make_project()
    code, output, seen = _in_a_terminal(
        root, tmp, ["personalise", "back-pain", "--out", str(tmp_path / "copy.pdf")], PATIENT)
    assert code == 0, output
    assert output.startswith(f"Patient's name (as it should print): {PATIENT}\n"), output
    assert output.splitlines()[1].startswith(f"wrote {tmp_path / 'copy.pdf'} (3 pages, ")
    assert seen and PATIENT not in seen
    text = " ".join((p.extract_text() or "") for p in PdfReader(tmp_path / "copy.pdf").pages)
    assert f"Prepared for {PATIENT}" in " ".join(text.split())
    assert list(tmp.iterdir()) == []


def test_in_a_terminal_a_name_on_the_command_line_gets_a_warning(
        make_project, tmp_path: Path, tmp: Path) -> None:
    root = make_project()
    (tmp_path / "note.txt").write_text("Walk daily.", "utf-8")
    code, output, _ = _in_a_terminal(
        root, tmp, ["personalise", "back-pain", "--patient", PATIENT, "--note", "Walk.",
                    "--out", str(tmp_path / "copy.pdf")], "")
    assert code == 0, output
    assert output.splitlines()[0] == (
        "warning: other users of this computer can see --patient and --note while the "
        "command runs, and the shell keeps the command line in its history; next time leave "
        "--patient out to be asked for the name and give the note with --note-file")
