"""The ways a run can end badly: a dying worker, Ctrl-C, a bug, an operating-system error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import CONDITION

from brochure.cli import main
from brochure.engine import Engine, Limits


def _dying_setup(marker: str) -> Callable[[str], str]:
    def task(job: str) -> str:
        if job == "die":
            Path(marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return job.upper()

    return task


def test_a_dying_worker_fails_its_job_alone_and_is_replaced_for_the_rest(
        tmp_path: Path) -> None:
    jobs = ["a", "die", "b", "c", "d", "e"]
    with Engine(2, limits=Limits(seconds=60), preload=()) as engine:
        outcomes = engine.run(jobs, setup=_dying_setup, args=(str(tmp_path / "died"),),
                              describe=str)
    by_job = {o.job: o for o in outcomes}
    assert sorted(by_job) == sorted(jobs)
    assert by_job["die"].error == ("the worker process died (out of memory or killed); the "
                                   "other brochures went on")
    # One job in flight per worker: the other worker's job is not touched by the death.
    assert {j: o.result for j, o in by_job.items() if j != "die"} == {
        j: j.upper() for j in jobs if j != "die"}


def test_ctrl_c_stops_a_build_with_exit_130_and_keeps_finished_files(make_project) -> None:
    extra = {f"handouts/conditions/pain-{i}.yaml": CONDITION for i in range(8)}
    root = make_project(extra)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "brochure", "build", "--jobs", "1",
                             "--quiet"], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    dist = root / "dist"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(dist.glob("*.pdf")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == ("stopped; finished files are complete, unfinished ones "
                                    "were not written")
    built = sorted(dist.glob("*.pdf"))
    assert 1 <= len(built) < 9
    assert all(p.read_bytes().startswith(b"%PDF") and p.read_bytes().rstrip().endswith(b"%%EOF")
               for p in built)
    assert not [p for p in dist.iterdir() if p.name.endswith(".part")]


def test_a_bug_is_one_line_and_debug_shows_the_traceback(make_project, monkeypatch) -> None:
    make_project()

    def bug(**kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("brochure.api.list_project", bug)
    result = CliRunner().invoke(main, ["list"], prog_name="brochure")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: internal error (ZeroDivisionError: division by zero); this is a bug in "
        "brochure: please report it with the command you ran (BROCHURE_DEBUG=1 shows the "
        "details)\n")
    monkeypatch.setenv("BROCHURE_DEBUG", "1")
    debug = CliRunner().invoke(main, ["list"], prog_name="brochure")
    assert isinstance(debug.exception, ZeroDivisionError)


def test_an_operating_system_error_is_one_line_naming_the_file(tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    result = CliRunner().invoke(main, ["init", "afile/sub"], prog_name="brochure")
    assert result.exit_code == 1
    assert result.stderr == "error: afile/sub: Not a directory\n"
