"""The engine: worker processes with the same limits, crash restart and shutdown everywhere.

Every test runs real worker processes (tests/engine_jobs.py holds their jobs). Nothing is
timed: jobs that never end meet a 1 s limit, and jobs that must run side by side wait
for each other.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tests.conftest import wait_until

import engine_jobs
from brochure.engine import DIED, Engine, Limits, WorkerLost
from brochure.errors import FitError
from brochure.render.measure import Facts

TIMED_OUT = "stopped after 1 s (the time limit); the page may be too long or too complex"
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "brochure"
HTML = ("<html lang='en'><head><title>T</title></head>"
        "<body><h1>Title</h1><p>Words.</p></body></html>")


def _engine(workers: int = 1, **options: object) -> Engine:
    """An engine whose workers import nothing ahead (these jobs need no WeasyPrint)."""
    return Engine(workers, preload=(), **options)  # type: ignore[arg-type]


def _results(engine: Engine, jobs: list[str], **options: object) -> dict[str, object]:
    outcomes = engine.run(jobs, setup=engine_jobs.setup, describe=str,
                          **options)  # type: ignore[arg-type]
    assert sorted(o.job for o in outcomes) == sorted(jobs)
    return {o.job: o.result if o.error is None else o.error for o in outcomes}


def _workers_alive() -> list[int]:
    """Return this process's children that are engine workers and still running."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"brochure.engine.worker" in command \
                and fields[0] != "Z":
            found.append(int(entry.name))
    return found


# --- jobs and batches ---------------------------------------------------------------------


def test_a_batch_runs_over_two_workers_and_each_setup_reaches_each_worker() -> None:
    with _engine(2) as engine:
        done = engine.run(["pid", "pid", "a", "b", "c"], setup=engine_jobs.setup, args=("x",),
                          describe=str)
        assert len({o.result for o in done if o.job == "pid"}) == 2  # one job per worker
        assert sorted(o.result for o in done if o.job != "pid") == ["xA", "xB", "xC"]
        # Another setup on the same workers: sent with their first job of it.
        assert engine.submit("d", setup=engine_jobs.setup, args=("y",), describe=str).result \
            == "yD"
        assert engine.submit("e", setup=engine_jobs.setup, describe=str).result == "E"


def test_a_setup_that_fails_fails_its_jobs_with_the_reason() -> None:
    with _engine(1) as engine:
        assert _results(engine, ["a"], args=()) == {"a": "A"}
        outcome = engine.submit("b", setup=engine_jobs.failing_setup, describe=str)
        assert outcome.error == "[Errno 28] No space left on device"


def test_a_job_that_never_ends_stops_at_the_time_limit_in_its_worker() -> None:
    with _engine(1, limits=Limits(seconds=1)) as engine:
        before = engine.submit("pid", setup=engine_jobs.setup, describe=str).result
        assert engine.submit("endless", setup=engine_jobs.setup, describe=str).error \
            == TIMED_OUT
        # The worker stopped the job itself, and goes on.
        assert engine.submit("pid", setup=engine_jobs.setup, describe=str).result == before


def test_a_worker_that_ignores_the_alarm_is_killed_by_the_parent() -> None:
    with _engine(1, limits=Limits(seconds=1)) as engine:
        before = engine.submit("pid", setup=engine_jobs.setup, describe=str).result
        assert _results(engine, ["deaf", "quick"]) == {"deaf": TIMED_OUT, "quick": "QUICK"}
        after = engine.submit("pid", setup=engine_jobs.setup, describe=str).result
        assert after != before


def test_a_job_over_the_memory_limit_fails_alone() -> None:
    with _engine(1, limits=Limits(memory_mb=512)) as engine:
        assert _results(engine, ["hungry:3000", "hungry:8"]) == {
            "hungry:3000": "stopped: it needed more than 512 MB of memory (the limit)",
            "hungry:8": 8 * 1024 * 1024}


def test_a_worker_killed_mid_job_fails_only_that_job() -> None:
    with _engine(2) as engine:
        results = _results(engine, ["die", "a", "b", "c", "d"])
        assert results == {"die": f"{DIED}; the other brochures went on", "a": "A", "b": "B",
                           "c": "C", "d": "D"}
        # The dead worker's place is taken when a job needs it (the other may have run
        # them all); starting the engine again tops it up: two live workers, none dead.
        assert 1 <= len(engine.pids()) <= 2
        engine.start()
        assert len(engine.pids()) == 2
        with pytest.raises(WorkerLost, match=r"^the worker process died \(out of memory or "
                           r"killed\)$"):
            engine.submit("die", setup=engine_jobs.setup, describe=str)
        assert engine.submit("e", setup=engine_jobs.setup, describe=str).result == "E"


def test_workers_are_replaced_after_their_number_of_jobs() -> None:
    with _engine(1, recycle=2) as engine:
        pids = [o.result for o in engine.run(["pid"] * 5, setup=engine_jobs.setup,
                                             describe=str)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert len(set(pids)) == 3
    assert _workers_alive() == []


def test_a_worker_that_cannot_start_fails_the_job_with_the_reason(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with Engine(1, preload=("no_such_module_anywhere",)) as engine:
        results = _results(engine, ["a"])
    assert results == {"a": "no worker process could start (ModuleNotFoundError: No module "
                            "named 'no_such_module_anywhere')"}
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, says nothing
    with _engine(1) as engine, pytest.raises(WorkerLost) as lost:
        engine.submit("a", setup=engine_jobs.setup, describe=str)
    assert str(lost.value) == "no worker process could start (it exited with code 1)"
    assert not lost.value.started


def test_requests_from_threads_run_side_by_side(tmp_path: Path) -> None:
    """As the preview server submits them (through asyncio.to_thread)."""
    with _engine(2) as engine:
        met: dict[str, object] = {}

        def ask(mine: str, other: str) -> None:
            met[mine] = engine.submit(f"meet:{tmp_path / mine}:{tmp_path / other}",
                                      setup=engine_jobs.setup, describe=str).result

        threads = [threading.Thread(target=ask, args=pair) for pair in (("a", "b"), ("b", "a"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    assert met == {"a": True, "b": True}


def test_a_worker_started_ahead_is_kept_when_the_engine_grows() -> None:
    with _engine(1) as engine:
        engine.start()
        [first] = engine.pids()
        engine.resize(3)
        workers = engine.pids()
        assert first in workers and len(workers) == 3
        done = engine.run(["pid"] * 3, setup=engine_jobs.setup, describe=str)
        assert {o.result for o in done} == set(workers)  # one job each, none started anew


# --- stopping -----------------------------------------------------------------------------


def test_close_with_kill_stops_busy_workers_and_leaves_no_process(tmp_path: Path) -> None:
    engine = _engine(2)
    lost: list[BaseException] = []

    def busy(name: str) -> None:
        try:
            engine.submit(f"mark:{tmp_path / name}", setup=engine_jobs.setup, describe=str)
        except WorkerLost as exc:
            lost.append(exc)

    threads = [threading.Thread(target=busy, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    assert wait_until(lambda: (tmp_path / "a").exists() and (tmp_path / "b").exists())
    assert len(_workers_alive()) == 2
    engine.close(kill=True)
    assert _workers_alive() == []
    for thread in threads:
        thread.join(60)
    assert [str(e) for e in lost] == [DIED, DIED]


def test_close_lets_idle_workers_leave_and_a_closed_engine_takes_nothing() -> None:
    engine = _engine(2).start()
    assert engine.submit("a", setup=engine_jobs.setup, describe=str).result == "A"
    engine.close()
    assert _workers_alive() == []
    with pytest.raises(WorkerLost, match="the engine was closed"):
        engine.submit("a", setup=engine_jobs.setup, describe=str)


def test_ctrl_c_during_a_batch_stops_every_worker(tmp_path: Path) -> None:
    def stop(outcome: object) -> None:
        raise KeyboardInterrupt

    engine = _engine(2)
    with pytest.raises(KeyboardInterrupt):
        engine.run(["endless", "quick"], setup=engine_jobs.setup, describe=str,
                   on_outcome=stop)
    assert _workers_alive() == []


ORPHAN = """
import sys
sys.path.insert(0, sys.argv[1])
import engine_jobs
from tests.conftest import wait_until
from brochure.engine import Engine
engine = Engine(1, preload=())
engine.start()
print(engine.pids()[0], flush=True)
engine.submit("mark:" + sys.argv[2], setup=engine_jobs.setup, describe=str)
"""


def test_a_worker_whose_parent_was_killed_leaves_at_once(tmp_path: Path) -> None:
    marker = tmp_path / "busy"
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN, str(Path(__file__).parent),
                               str(marker)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert wait_until(marker.exists)  # the worker is in the middle of a job that never ends
    parent.kill()
    parent.wait(60)

    def gone() -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        return state == "Z"

    assert wait_until(gone, 60), "the worker outlived its parent"


# --- the same limits in the caller's own process ------------------------------------------


def test_the_inline_runner_has_the_same_limits() -> None:
    engine = Engine(0, limits=Limits(seconds=1, memory_mb=512))
    assert _results(engine, ["endless", "hungry:3000", "hungry:8", "a"]) == {
        "endless": TIMED_OUT,
        "hungry:3000": "stopped: it needed more than 512 MB of memory (the limit)",
        "hungry:8": 8 * 1024 * 1024, "a": "A"}
    assert len(bytearray(1024 * 1024 * 1024)) == 1024 ** 3  # the limit is lifted afterwards
    assert engine.submit("b", setup=engine_jobs.setup, describe=str).result == "B"
    assert engine.pids() == [] and _workers_alive() == []


# --- the one-brochure path: a render with the fit check here ---------------------------------


def test_a_render_in_a_worker_gives_the_same_pdf_and_the_fit_check_stays_here(
        tmp_path: Path) -> None:
    from brochure.render.pdf import render_pdf

    seen: list[int] = []

    def look(facts: Facts) -> None:
        seen.append(facts.pages)

    def refuse(facts: Facts) -> None:
        raise FitError(["handouts/conditions/back-pain.yaml:3:1: it does not fit"])

    with Engine(1) as engine:
        there = engine.render(HTML, roots=(tmp_path,), base_url=tmp_path, inspect=look)
        [pid] = engine.pids()
        with pytest.raises(FitError, match="it does not fit"):
            engine.render(HTML, roots=(tmp_path,), base_url=tmp_path, inspect=refuse)
        assert engine.pids() == [pid]  # the layout was dropped in step; the worker goes on
        assert engine.render(HTML, roots=(tmp_path,), base_url=tmp_path) == there
    assert seen == [1]
    assert there == render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path)


# --- no private state of the standard library ---------------------------------------------

PRIVATE = {"_processes", "_forkserver", "_stop", "_pending_work_items", "_broken",
           "_executor_manager_thread", "_max_workers", "_pool", "_cache", "_popen",
           "_inheriting", "_mp_context", "_call_queue", "_result_queue"}


def _private_uses(source: str) -> list[str]:
    """Return each use in ``source`` of a private name of multiprocessing or
    concurrent.futures, and each worker pool or start method taken from them."""
    tree = ast.parse(source)
    found = []
    modules = {"multiprocessing", "concurrent"}
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {(a.asname or a.name).split(".")[0] for a in node.names
                        if a.name.split(".")[0] in modules}
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name in {"multiprocessing.forkserver", "concurrent.futures.process"}]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in modules:
            for a in node.names:
                if a.name.startswith("_") or a.name in {"ProcessPoolExecutor", "get_context",
                                                         "set_start_method", "forkserver"}:
                    found.append(f"{node.lineno}: from {node.module} import {a.name}")
                aliases.add(a.asname or a.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if node.attr in PRIVATE or (isinstance(root, ast.Name) and root.id in aliases):
                found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Constant) and node.value in PRIVATE:
            found.append(f"{node.lineno}: '{node.value}'")
    return sorted(found)


def test_the_scan_finds_private_state_of_the_pools() -> None:
    source = ("from concurrent.futures import ProcessPoolExecutor\n"
              "import multiprocessing.forkserver as fs\n"
              "from multiprocessing import forkserver\n"
              "p = pool._processes\nfs._forkserver._stop()\n"
              "getattr(pool, '_processes', None)\n")
    assert _private_uses(source) == [
        "1: from concurrent.futures import ProcessPoolExecutor",
        "2: import multiprocessing.forkserver", "3: from multiprocessing import forkserver",
        "4: ._processes", "5: ._forkserver", "5: ._stop", "6: '_processes'"]


def test_no_module_reads_private_state_of_the_standard_librarys_pools() -> None:
    found = {str(path.relative_to(PACKAGE)): hits for path in sorted(PACKAGE.rglob("*.py"))
             if (hits := _private_uses(path.read_text("utf-8")))}
    assert found == {}
