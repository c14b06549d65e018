"""The one-brochure path: a worker started ahead lays the page out (brochure.engine).

What a reader gets must not depend on which process rendered: the same bytes, the same
fit errors, the same one-line failures, the same limits. Tests here pass an engine's
``render`` where a brochure is produced, and compare with a render in this process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import CLINIC, CONDITION

from brochure.content.outfile import atomic_write
from brochure.content.project import load_project
from brochure.engine import DIED, Engine, JobTimeout, default_workers, time_limit
from brochure.errors import FitError, RenderError
from brochure.recipe.job import Job
from brochure.recipe.make import make
from brochure.recipe.refusals import located
from brochure.render.fetch import Unloaded
from brochure.render.measure import Facts
from brochure.render.pdf import render_pdf

HTML = ("<html lang='en'><head><title>T</title></head>"
        "<body><h1>Title</h1><p>Words.</p></body></html>")


class Counted:
    """An engine's render, counting the renders it finished and the ones that raised."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.done = 0
        self.stopped = 0  # renders that raised: a fit check's no, a second layout, an error

    def __call__(self, html: str, **options: object) -> tuple[bytes, list[str]]:
        try:
            result = self.engine.render(html, **options)  # type: ignore[arg-type]
        except BaseException:
            self.stopped += 1
            raise
        self.done += 1
        return result


@pytest.fixture
def renderer() -> Iterator[Counted]:
    with Engine(1) as engine:
        yield Counted(engine.start())


def _produce(root: Path, layout: str, out: Path, render: Counted | None = None) -> list[Path]:
    """Make the back-pain brochure with the recipe, rendered here or by ``render``; write it."""
    project = load_project(root)
    made = make(project, Job("back-pain", layout, "letter", project.language),
                render=render or render_pdf)
    for name, data in made.files:
        atomic_write(out / name, data, kind="pdf", within=out.resolve())
    return [out / name for name, _ in made.files]


def test_brochures_from_a_worker_are_byte_identical_to_ones_rendered_here(
        make_project, renderer: Counted) -> None:
    root = make_project()
    layouts = ["handout", "trifold", "booklet", "poster"]  # tri-fold, booklet: laid out twice
    for where in ("here", "there"):
        (root / where).mkdir()
    here = [p for lay in layouts for p in _produce(root, lay, root / "here")]
    there = [p for lay in layouts for p in _produce(root, lay, root / "there", renderer)]
    assert (renderer.done, renderer.stopped) == (len(layouts), 2)
    assert [p.name for p in here] == [p.name for p in there]
    for a, b in zip(here, there, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_brochure_that_does_not_fit_fails_the_same_way_and_nothing_is_written(
        make_project, renderer: Counted) -> None:
    long_key = "Dry needling may ease your back pain as part of your care. " * 12
    root = make_project({"handouts/conditions/back-pain.yaml": CONDITION.replace(
        "key_message: Dry needling may ease your back pain as part of your care.",
        f"key_message: {long_key.strip()}")})
    (root / "out").mkdir()
    failures = []
    for render in (None, renderer):
        with pytest.raises(FitError) as failed:
            _produce(root, "poster", root / "out", render)
        failures.append(failed.value.lines())
    assert failures[0] == failures[1]
    assert "poster panel 'poster' overflows by" in failures[1][0]
    assert list((root / "out").iterdir()) == []
    # The layout was dropped in step: the same worker goes on with the next brochure.
    [pid] = renderer.engine.pids()
    assert _produce(root, "handout", root / "out", renderer)
    assert (renderer.done, renderer.stopped) == (1, 1)
    assert renderer.engine.pids() == [pid]


def test_a_render_error_in_a_worker_is_the_same_one_line_error(
        tmp_path: Path, renderer: Counted) -> None:
    (tmp_path / "logo.png").write_bytes(b"not a png at all")
    page = HTML.replace("<p>Words.</p>", "<img src='logo.png' alt='Logo'>")
    with pytest.raises(Unloaded) as there:
        renderer(page, roots=(tmp_path,), base_url=tmp_path)
    with pytest.raises(Unloaded) as here:
        render_pdf(page, roots=(tmp_path,), base_url=tmp_path)
    assert (renderer.done, renderer.stopped) == (0, 1)
    assert str(there.value) == str(here.value)
    assert (there.value.kind, there.value.items) == (here.value.kind, here.value.items)
    # The recipe places it in the project, from what the worker sent back.
    placed = str(located(there.value.kind, there.value.items, tmp_path))
    assert "logo.png" in placed and "not an image the renderer can read" in placed


def test_a_worker_killed_mid_render_fails_that_brochure_and_the_next_one_gets_a_new_worker(
        tmp_path: Path, renderer: Counted) -> None:
    [pid] = renderer.engine.pids()

    def kill(facts: Facts) -> None:
        assert facts.pages == 1
        os.kill(pid, signal.SIGKILL)

    with pytest.raises(RenderError) as failed:
        renderer(HTML, roots=(tmp_path,), base_url=tmp_path, inspect=kill)
    assert str(failed.value) == f"{DIED}; the brochure was not written"
    made, _ = renderer(HTML, roots=(tmp_path,), base_url=tmp_path)
    assert renderer.engine.pids() != [pid]
    assert made == render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path)[0]


def test_a_worker_that_cannot_start_leaves_the_render_to_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, says nothing
    with Engine(1) as engine:
        made, _ = engine.render(HTML, roots=(tmp_path,), base_url=tmp_path)
    assert made == render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path)[0]


def test_the_time_limit_here_stops_the_worker_too(tmp_path: Path, renderer: Counted) -> None:
    rows = "".join(f"<tr><td>Row {i}</td><td>Rare</td><td>Mild</td></tr>" for i in range(40_000))
    slow = HTML.replace("<p>Words.</p>", f"<table>{rows}</table>")
    renderer(HTML, roots=(tmp_path,), base_url=tmp_path)  # the worker is ready
    [pid] = renderer.engine.pids()
    with pytest.raises(JobTimeout), time_limit(1):
        renderer(slow, roots=(tmp_path,), base_url=tmp_path)
    assert not Path(f"/proc/{pid}").exists()  # stopped and waited for, not left rendering
    made, _ = renderer(HTML, roots=(tmp_path,), base_url=tmp_path)
    assert made == render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path)[0]


def test_the_time_limit_in_the_worker_is_the_builds_message(tmp_path: Path) -> None:
    from brochure.engine import Limits

    rows = "".join(f"<tr><td>Row {i}</td><td>Rare</td><td>Mild</td></tr>" for i in range(40_000))
    slow = HTML.replace("<p>Words.</p>", f"<table>{rows}</table>")
    with Engine(1, limits=Limits(seconds=1)) as engine, pytest.raises(RenderError) as failed:
        engine.render(slow, roots=(tmp_path,), base_url=tmp_path)
    assert str(failed.value) == ("stopped after 1 s (the time limit); the page may be too "
                                 "long or too complex")


def _fresh_python(code: str, cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=cwd, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_worker_imports_nothing_of_the_composing_code() -> None:
    loaded = _fresh_python(
        "import sys\n"
        "import brochure.engine, brochure.engine.worker, brochure.render.pdf\n"
        "import brochure.render.fetch, brochure.render.pdflang, brochure.render.measure\n"
        "heavy = ('pydantic', 'jinja2', 'yaml', 'markdown_it', 'babel', 'click', 'segno',\n"
        "         'weasyprint')\n"
        "print(sorted(m for m in heavy if m in sys.modules))")
    assert loaded == "[]"


def test_weasyprint_opens_the_same_libraries_when_found_by_soname() -> None:
    if not sys.platform.startswith("linux"):  # elsewhere the lookup is left as it is
        import ctypes.util

        from brochure.engine.worker import _sonames_only

        lookup = ctypes.util.find_library
        with _sonames_only():
            assert ctypes.util.find_library is lookup
        return
    maps = ("import re\n"
            "libs = set(re.findall(r'\\S+/lib(?:pango|harfbuzz|fontconfig|gobject)[^/\\s]*',\n"
            "           open('/proc/self/maps').read()))\n"
            "print('\\n'.join(sorted(libs)))")
    plain = _fresh_python("import weasyprint\n" + maps)
    quick = _fresh_python("from brochure.engine.worker import _sonames_only\n"
                          "with _sonames_only():\n    import weasyprint\n"
                          "import ctypes.util\n"
                          "assert ctypes.util.find_library('c')  # the real lookup is back\n"
                          + maps)
    assert quick == plain
    assert "libpango" in quick and "libharfbuzz" in quick


# The command run as a user runs it, with the engine watched: what was imported when its
# workers started, how many workers it started, and how many renders went to one.
SCRIPT = """
import json, sys
from brochure.engine import engine as e
heavy = ('pydantic', 'jinja2', 'yaml', 'markdown_it', 'babel', 'segno', 'weasyprint')
seen = {"imported": None, "spawned": 0, "renders": 0}
start, spawn, render = e.Engine.start, e.spawn, e.Engine.render
def started(self):
    if self.size and seen["imported"] is None:
        seen["imported"] = sorted(m for m in heavy if m in sys.modules)
    return start(self)
def spawned(*args, **kwargs):
    seen["spawned"] += 1
    return spawn(*args, **kwargs)
def rendered(self, *args, **kwargs):
    seen["renders"] += bool(self.size)
    return render(self, *args, **kwargs)
e.Engine.start, e.spawn, e.Engine.render = started, spawned, rendered
from brochure.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(seen))
"""

needs_two_cpus = pytest.mark.skipif(default_workers() < 2, reason="one CPU: nothing overlaps")


def _watched(root: Path, *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=root,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


@needs_two_cpus
def test_one_brochure_from_the_command_line_renders_in_a_worker_started_first(
        make_project) -> None:
    root = make_project()
    (root / "here").mkdir()
    [here] = _produce(root, "handout", root / "here")
    one = ["build", "back-pain", "--layout", "handout", "--paper", "letter", "-q"]
    # The worker starts before the project's code is imported, and lays the page out.
    assert _watched(root, *one, "--out", "there") == {"imported": [], "spawned": 1,
                                                     "renders": 1}
    assert (root / "there" / here.name).read_bytes() == here.read_bytes()
    # --jobs 1 renders in the build's own process; a build with nothing to do closes the
    # worker it started, unused.
    assert _watched(root, *one, "--jobs", "1", "--force") == {
        "imported": None, "spawned": 0, "renders": 0}
    assert _watched(root, *one)["renders"] == 0


@needs_two_cpus
def test_a_plan_of_several_brochures_keeps_the_worker_started_ahead(make_project) -> None:
    clinic = CLINIC.replace("paper: letter", "paper: letter\n  layouts: [handout, poster]")
    root = make_project({"handouts/clinic.yaml": clinic})
    seen = _watched(root, "build", "back-pain", "--jobs", "2", "-q")
    # One worker started ahead, one more for the second brochure: none started in vain.
    assert seen == {"imported": [], "spawned": 2, "renders": 0}
    assert sorted(p.name for p in (root / "dist").glob("*.pdf")) == [
        "back-pain.handout.letter.en.pdf", "back-pain.poster.letter.en.pdf"]


@needs_two_cpus
def test_a_personal_copy_from_the_command_line_renders_in_a_worker(
        make_project, tmp_path: Path) -> None:
    import brochure

    root = make_project()
    who = ["--patient", "Ana Pérez", "--note", "Walk for ten minutes twice a day."]
    brochure.personalise(project=root, condition="back-pain", patient="Ana Pérez",
                         note="Walk for ten minutes twice a day.", out=tmp_path / "here.pdf")
    seen = _watched(root, "personalise", "back-pain", *who, "--out", str(tmp_path / "there.pdf"))
    assert seen == {"imported": [], "spawned": 1, "renders": 1}
    assert (tmp_path / "there.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
