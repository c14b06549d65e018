"""Stopping a build: signals, a second build into the same folder, and leftover files.

These run the real command in a process of its own (a signal cannot be sent to CliRunner)
and read /proc to see which processes of the build are still alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import CONDITION, wait_until

import brochure
from brochure.catalogue.session import LOCK_NAME, hold
from brochure.cli import main
from brochure.content.outnames import remove_stale_parts

# Slow enough that the workers are still rendering when the signal comes.
SLOW = CONDITION.replace("        text: Back pain is very common.", (
    "        text: Back pain is very common.\n"
    "      - kind: table\n"
    "        header: [Side effect, How often, How bad]\n"
    "        rows:\n" + "".join(f"          - [Row {i}, Rare, Mild]\n" for i in range(3000))))
NECK = SLOW.replace("back pain", "neck pain").replace("Back pain", "Neck pain")


def _session_members(sid: int) -> list[int]:
    """Return the processes whose session is ``sid`` (the build and all it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields: state ppid pgrp session
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize(("signum", "code", "jobs"), [
    (signal.SIGTERM, 143, 2), (signal.SIGINT, 130, 2), (signal.SIGHUP, 129, 2),
    (signal.SIGTERM, 143, 1)])
def test_a_signal_stops_every_process_and_keeps_finished_pdfs(
        make_project, tmp_path: Path, signum: int, code: int, jobs: int) -> None:
    root = make_project()
    brochure.build(project=root, conditions=["back-pain"], layout="handout")
    kept = (root / "dist/back-pain.handout.letter.en.pdf").read_bytes()
    (root / "handouts/conditions/back-pain.yaml").write_text(SLOW, "utf-8")
    (root / "handouts/conditions/neck-pain.yaml").write_text(NECK, "utf-8")
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    build = subprocess.Popen(
        [sys.executable, "-m", "brochure", "build", "--jobs", str(jobs), "--force", "-q"],
        cwd=root, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True)
    # With two jobs, wait until the workers exist: the build and its two workers.
    assert wait_until(lambda: len(_session_members(build.pid)) >= (3 if jobs > 1 else 1))
    assert wait_until(lambda: any((tmp_path / "tmp").glob("brochure-build-*/weasyprint-*")))
    build.send_signal(signum)
    _stopped_cleanly(build, code, tmp_path / "tmp", root, kept)


def _stopped_cleanly(build: subprocess.Popen[str], code: int, tmp: Path, root: Path,
                     kept: bytes) -> None:
    """Assert the stopped build said so, left no process, no temporary file, no part file."""
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == code
    assert stderr.splitlines()[-1] == ("stopped; finished files are complete, unfinished "
                                       "ones were not written")
    assert wait_until(lambda: not _session_members(build.pid), 30), \
        "a process of the build outlived it"
    # No font folder and no private folder is left.
    assert list(tmp.iterdir()) == []
    assert (root / "dist/back-pain.handout.letter.en.pdf").read_bytes() == kept
    assert not list((root / "dist").glob(".brochure-tmp.*"))


def test_ctrl_c_in_a_terminal_stops_a_one_brochure_build_and_its_worker(
        make_project, tmp_path: Path) -> None:
    root = make_project()
    brochure.build(project=root, conditions=["back-pain"], layout="handout")
    kept = (root / "dist/back-pain.handout.letter.en.pdf").read_bytes()
    (root / "handouts/conditions/back-pain.yaml").write_text(SLOW, "utf-8")
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    build = subprocess.Popen(
        [sys.executable, "-m", "brochure", "build", "back-pain", "--layout", "handout", "-q"],
        cwd=root, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True)
    # The build and the worker it started ahead; it is rendering once WeasyPrint
    # has copied the fonts into the build's folder.
    assert wait_until(lambda: len(_session_members(build.pid)) >= 2)
    assert wait_until(lambda: any((tmp_path / "tmp").glob("brochure-build-*/weasyprint-*")))
    os.killpg(build.pid, signal.SIGINT)  # as a terminal does: to every process of the job
    _stopped_cleanly(build, 130, tmp_path / "tmp", root, kept)


def test_a_killed_build_leaves_its_temporary_folder_to_the_next_build(
        make_project, tmp_path: Path) -> None:
    root = make_project({"handouts/conditions/back-pain.yaml": SLOW})
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    build = subprocess.Popen([sys.executable, "-m", "brochure", "build", "-q"], cwd=root,
                             env=env, start_new_session=True)
    assert wait_until(lambda: any((tmp_path / "tmp").glob("brochure-build-*/weasyprint-*")))
    build.send_signal(signal.SIGKILL)
    build.wait(60)
    # WeasyPrint's font folder is inside the build's private folder, not loose in /tmp.
    assert not list((tmp_path / "tmp").glob("weasyprint-*"))
    subprocess.run([sys.executable, "-m", "brochure", "list"], cwd=root, env=env, check=True,
                   capture_output=True)
    assert list((tmp_path / "tmp").glob("brochure-build-*"))  # only a build tidies
    done = subprocess.run([sys.executable, "-m", "brochure", "build", "back-pain", "-q",
                           "--layout", "poster"],
                          cwd=root, env={**env}, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert not list((tmp_path / "tmp").glob("brochure-build-*"))


def test_a_second_build_into_the_same_folder_stops_with_a_message(make_project) -> None:
    root = make_project()
    with hold(root / "dist"):
        result = CliRunner().invoke(main, ["build"], prog_name="brochure")
    assert result.exit_code == 1
    assert result.stderr == ("error: dist: another build is writing into this folder; wait "
                             "for it to finish, or build into another --out folder\n")
    assert not list((root / "dist").glob("*.pdf"))
    brochure.build(project=root)  # the lock goes with the first build
    assert not (root / "dist" / LOCK_NAME).exists()


def test_only_our_own_temporary_files_are_removed(tmp_path: Path) -> None:
    users = [".thesis.final.docx.part", ".a.b.c.part", ".brochure-tmp.part",
             ".brochure-tmp.x.pdf.ABCDEFGH.part", "notes.part"]
    ours = ".brochure-tmp.back-pain.handout.letter.en.pdf.k2_9xq0a.part"
    for name in [*users, ours]:
        (tmp_path / name).write_text("x")
    assert remove_stale_parts(tmp_path) == [tmp_path / ours]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(users)


def test_a_build_keeps_a_users_part_file_in_the_output_folder(make_project) -> None:
    root = make_project()
    (root / "dist").mkdir()
    (root / "dist/.thesis.final.docx.part").write_text("chapter one")
    brochure.build(project=root)
    assert (root / "dist/.thesis.final.docx.part").read_text() == "chapter one"


def test_a_reader_that_leaves_early_ends_the_listing_quietly(make_project) -> None:
    root = make_project()
    listing = subprocess.Popen([sys.executable, "-m", "brochure", "list"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert listing.stdout is not None and listing.stderr is not None
    listing.stdout.close()  # like `brochure list | head -0`
    assert listing.stderr.read() == b""
    assert listing.wait(60) in (0, 1)
