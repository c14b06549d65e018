"""Batch builds: the matrix, incremental rebuilds, isolated failures, shards and manifests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import CLINIC, CONDITION, INTRO

import brochure
from brochure.cli import main
from brochure.engine import Engine, Limits, Outcome
from brochure.errors import BuildFailed, UsageError
from brochure.recipe.job import Job
from brochure.recipe.select import parse_shard
from brochure.recipe.select import shard_of as shard

AFTERCARE = INTRO.replace("title: What is dry needling?", "title: After your visit")
NECK = (CONDITION.replace("back pain", "neck pain").replace("Back pain", "Neck pain")
        .replace("topics: [intro, safety]", "topics: [intro, aftercare, safety]"))
TWO = {"handouts/topics/aftercare.yaml": AFTERCARE, "handouts/conditions/neck-pain.yaml": NECK}
# Much too long to render in a few seconds: the time limit stops it.
RUNAWAY = CONDITION.replace("        text: Back pain is very common.", (
    "        text: Back pain is very common.\n"
    "      - kind: table\n"
    "        header: [Side effect, How often, How bad]\n"
    "        rows:\n" + "".join(f"          - [Row {i}, Rare, Mild]\n" for i in range(4000))))


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Return each file's inode and modification time: a rewrite changes one of them."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def manifest(folder: Path, name: str = "manifest.json") -> dict:
    data = json.loads((folder / name).read_text("utf-8"))
    for entry in data["outputs"].values():
        entry.pop("render_seconds")  # the one field that may differ between runs
    return data


# --- the matrix -----------------------------------------------------------------------


def test_no_arguments_build_the_default_matrix_from_clinic_yaml(make_project) -> None:
    clinic = CLINIC.replace("paper: letter", "paper: letter\n  papers: [letter, a4]\n"
                            "  layouts: [handout, poster]")
    root = make_project({**TWO, "handouts/clinic.yaml": clinic})
    result = brochure.build(project=root)
    assert sorted(result.built) == sorted(
        f"{c}.{lay}.{p}.en.pdf" for c in ("back-pain", "neck-pain")
        for lay in ("handout", "poster") for p in ("letter", "a4"))
    narrowed = brochure.build(project=root, conditions=["neck-pain"], layout="poster",
                              paper="a4", force=True)
    assert narrowed.built == ["neck-pain.poster.a4.en.pdf"]


def test_shards_cover_the_matrix_exactly_once() -> None:
    jobs = [Job(f"c{i}", lay, paper, "en") for i in range(14)
            for lay in ("handout", "trifold", "poster", "booklet", "large-print")
            for paper in ("letter", "a4")]
    assert len(jobs) == 140
    for count in (1, 2, 3, 7, 11, 140, 200):
        parts = [shard(jobs, k, count) for k in range(1, count + 1)]
        flat = [job for part in parts for job in part]
        assert sorted(flat) == sorted(jobs) and len(flat) == len(set(flat))
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
        assert parts == [shard(list(reversed(jobs)), k, count) for k in range(1, count + 1)]


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "2", "a/b", "1/-1"])
def test_a_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="must look like K/N with 1 <= K <= N"):
        parse_shard(text)


# --- incremental builds ---------------------------------------------------------------


def test_a_changed_topic_rebuilds_exactly_the_brochures_that_include_it(make_project) -> None:
    root = make_project(TWO)
    first = brochure.build(project=root, layout=["handout", "trifold"])
    assert len(first.built) == 4
    before = stamps(root / "dist")
    topic = root / "handouts/topics/aftercare.yaml"
    topic.write_text(AFTERCARE.replace("Drink water.", "Drink a glass of water."), "utf-8")
    again = brochure.build(project=root, layout=["handout", "trifold"])
    assert sorted(again.built) == ["neck-pain.handout.letter.en.pdf",
                                   "neck-pain.trifold.letter.en.pdf"]
    assert sorted(again.unchanged) == ["back-pain.handout.letter.en.pdf",
                                       "back-pain.trifold.letter.en.pdf"]
    after = stamps(root / "dist")
    assert after["back-pain.handout.letter.en.pdf"] == before["back-pain.handout.letter.en.pdf"]
    assert after["neck-pain.handout.letter.en.pdf"] != before["neck-pain.handout.letter.en.pdf"]
    # A topic both include, the clinic file and a stylesheet reach every brochure using them.
    (root / "handouts/topics/intro.yaml").write_text(INTRO.replace("Rest for a day.",
                                                                   "Rest for a while."))
    assert len(brochure.build(project=root, layout=["handout", "trifold"]).built) == 4
    (root / "styles").mkdir()
    (root / "styles/trifold.css").write_text(
        (Path(brochure.__file__).parents[2] / "styles/trifold.css").read_text("utf-8")
        + "\n.panel { letter-spacing: 0; }\n", "utf-8")
    assert sorted(brochure.build(project=root, layout=["handout", "trifold"]).built) == [
        "back-pain.trifold.letter.en.pdf", "neck-pain.trifold.letter.en.pdf"]


def test_a_no_op_rebuild_writes_nothing_and_force_rebuilds(make_project) -> None:
    root = make_project(TWO)
    brochure.build(project=root)
    before = stamps(root / "dist")
    again = brochure.build(project=root)
    assert again.built == [] and sorted(again.unchanged) == sorted(before.keys() - {
        "manifest.json"})
    assert stamps(root / "dist") == before
    forced = brochure.build(project=root, force=True)
    assert len(forced.built) == 2 and forced.unchanged == []


def test_changed_options_and_a_deleted_output_are_rebuilt(make_project) -> None:
    root = make_project(TWO)
    brochure.build(project=root)
    assert len(brochure.build(project=root, print_shop=True).built) == 2
    (root / "dist/back-pain.handout.letter.en.pdf").unlink()
    assert brochure.build(project=root).built == ["back-pain.handout.letter.en.pdf"]


# --- failures stay alone --------------------------------------------------------------


def test_a_failing_item_leaves_the_others_and_its_previous_pdf(make_project) -> None:
    root = make_project(TWO)
    brochure.build(project=root, layout="trifold")
    old = (root / "dist/back-pain.trifold.letter.en.pdf").read_bytes()
    old_entry = json.loads((root / "dist/manifest.json").read_text())["outputs"][
        "back-pain.trifold.letter.en.pdf"]
    long_text = "Back pain is very common. " * 200
    (root / "handouts/conditions/back-pain.yaml").write_text(
        CONDITION.replace("Back pain is very common.", long_text), "utf-8")
    with pytest.raises(BuildFailed) as failed:
        brochure.build(project=root, layout="trifold", jobs=2, force=True)
    result = failed.value.result
    assert [name for name, _ in result.failed] == ["back-pain.trifold.letter.en.pdf"]
    assert "overflows by" in result.failed[0][1]
    assert result.built == ["neck-pain.trifold.letter.en.pdf"]
    assert (root / "dist/back-pain.trifold.letter.en.pdf").read_bytes() == old
    kept = json.loads((root / "dist/manifest.json").read_text())["outputs"]
    assert kept["back-pain.trifold.letter.en.pdf"] == old_entry


def _endless_setup() -> Callable[[str], str]:
    def task(job: str) -> str:
        while job == "endless":  # a job that cannot finish in any time
            time.sleep(60)
        return job.upper()

    return task


@pytest.mark.parametrize("workers", [1, 2])
def test_a_job_that_never_ends_stops_at_the_time_limit_and_the_batch_goes_on(
        workers: int) -> None:
    # One worker: in this process, as a build of one brochure or --jobs 1 runs.
    with Engine(workers if workers > 1 else 0, limits=Limits(seconds=2)) as engine:
        outcomes = engine.run(["endless", "quick"], setup=_endless_setup, describe=str)
    by_job = {o.job: o for o in outcomes}
    assert by_job["endless"].error == (
        "stopped after 2 s (the time limit); the page may be too long or too complex")
    assert by_job["endless"].result is None
    assert (by_job["quick"].result, by_job["quick"].error) == ("QUICK", None)


def test_a_runaway_document_stops_at_the_time_limit_and_nothing_is_written(
        make_project) -> None:
    # The runaway takes about 15 s on an idle machine of today; the limit is 1 s, so only
    # a machine many times faster could finish it, and load only makes it slower.
    root = make_project({**TWO, "handouts/conditions/back-pain.yaml": RUNAWAY})
    with pytest.raises(BuildFailed) as failed:
        brochure.build(project=root, conditions=["back-pain"], limits=Limits(seconds=1))
    assert failed.value.result.failed == [(
        "back-pain.handout.letter.en.pdf",
        "stopped after 1 s (the time limit); the page may be too long or too complex")]
    assert failed.value.result.built == []
    assert not (root / "dist/back-pain.handout.letter.en.pdf").exists()


def _hungry_setup() -> Callable[[int], int]:
    def task(megabytes: int) -> int:
        return len(bytearray(megabytes * 1024 * 1024))

    return task


def test_a_job_over_the_memory_limit_fails_alone() -> None:
    seen: list[Outcome[int, int]] = []
    with Engine(2, limits=Limits(seconds=60, memory_mb=1024)) as engine:
        outcomes = engine.run([4000, 8], setup=_hungry_setup, describe=str,
                              on_outcome=seen.append)
    by_job = {o.job: o for o in outcomes}
    assert by_job[4000].error == "stopped: it needed more than 1024 MB of memory (the limit)"
    assert by_job[8].result == 8 * 1024 * 1024
    assert len(seen) == 2


def test_the_cli_lists_each_failure_and_exits_1(make_project) -> None:
    root = make_project({**TWO, "styles/handout.css": "body { background: url(/etc/passwd); }"})
    result = CliRunner().invoke(main, ["build", "--jobs", "2"], prog_name="brochure")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: back-pain.handout.letter.en.pdf and 1 more: styles/handout.css:1:20: refused "
        "to load 'file:///etc/passwd': it is outside the project's assets/, styles/ and templates/ "
        "folders; copy the file into assets/",
        "error: 2 of 2 brochures failed; fix the errors above and build again",
    ]
    assert not list(root.glob("dist/*.pdf"))


# --- reproducible, parallel, sharded --------------------------------------------------


def test_jobs_1_and_jobs_2_give_byte_identical_files(make_project, tmp_path: Path) -> None:
    root = make_project(TWO)
    layouts = ["handout", "booklet", "trifold"]
    brochure.build(project=root, layout=layouts, out=tmp_path / "one", jobs=1)
    brochure.build(project=root, layout=layouts, out=tmp_path / "two", jobs=2)
    one = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert one == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert len(one) == 9  # six brochures, two imposed booklets, the manifest
    for name in one:
        if name != "manifest.json":
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert manifest(tmp_path / "one") == manifest(tmp_path / "two")


def test_merged_shard_manifests_equal_a_single_run(make_project, tmp_path: Path) -> None:
    root = make_project(TWO)
    layouts = ["handout", "poster", "trifold"]
    whole = brochure.build(project=root, layout=layouts, out=tmp_path / "whole")
    parts = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        part = brochure.build(project=root, layout=layouts, out=out, shard=f"{k}/3")
        assert (out / f"manifest.{k}-of-3.json").is_file()
        assert not (out / "manifest.json").exists()
        parts.append(part)
    names = [name for part in parts for name in part.built]
    assert sorted(names) == sorted(whole.built) and len(names) == len(set(names))
    runner = CliRunner()
    merged = runner.invoke(main, ["manifest", "merge", *(str(tmp_path / f"shard{k}" /
                                  f"manifest.{k}-of-3.json") for k in (1, 2, 3)),
                                  "--out", str(tmp_path / "merged.json")])
    assert merged.exit_code == 0, merged.output
    assert merged.stdout == f"wrote {tmp_path / 'merged.json'} (6 outputs from 3 manifests)\n"
    assert manifest(tmp_path, "merged.json") == manifest(tmp_path / "whole")


def test_merging_manifests_built_from_different_content_is_refused(make_project,
                                                                    tmp_path: Path) -> None:
    root = make_project(TWO)
    brochure.build(project=root, out=tmp_path / "a")
    (root / "handouts/topics/intro.yaml").write_text(INTRO.replace("Drink water.", "Drink."))
    brochure.build(project=root, out=tmp_path / "b")
    with pytest.raises(UsageError, match="was built from different inputs in another shard"):
        brochure.merge_manifests([tmp_path / "a/manifest.json", tmp_path / "b/manifest.json"],
                                 out=tmp_path / "m.json")


# --- the command line -----------------------------------------------------------------


def test_plain_progress_a_summary_and_quiet(make_project) -> None:
    make_project(TWO)
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--jobs", "1"])
    assert first.exit_code == 0, first.output
    lines = [re.sub(r"\d+\.\d s", "T s", line) for line in first.stdout.splitlines()]
    assert lines == ["[1/2] built back-pain.handout.letter.en.pdf (T s)",
                     "[2/2] built neck-pain.handout.letter.en.pdf (T s)",
                     "2 built, 0 unchanged, 0 failed in T s"]
    again = runner.invoke(main, ["build"])
    assert re.fullmatch(r"0 built, 2 unchanged, 0 failed in \d+\.\d s\n", again.stdout)
    quiet = runner.invoke(main, ["build", "--force", "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""



@pytest.mark.parametrize("name", ["temp", "a-temporary-folder-" + "x" * 80])
def test_workers_leave_no_temporary_font_folders(make_project, tmp_path: Path, name) -> None:
    # A temporary folder with a long path (too long for a Unix socket's name) builds too.
    root = make_project(TWO)
    temp = tmp_path / name
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    for jobs in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "brochure", "build", "--jobs", jobs,
                               "--force", "--quiet", "--project", str(root)],
                              env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        assert list(temp.iterdir()) == []
