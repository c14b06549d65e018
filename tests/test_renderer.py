"""The renderer process a one-brochure build starts ahead of need (render/service.py).

What a reader gets must not depend on which process rendered: the same bytes, the same
fit errors, the same one-line failures, the same limits. Tests here register a real
renderer process for this test process's renders (``render_elsewhere``) and compare.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import CONDITION

import brochure
from brochure.catalogue.batch import JobTimeout, time_limit
from brochure.errors import BuildFailed, RenderError
from brochure.render import pdf
from brochure.render.measure import Facts
from brochure.render.service import Renderer

HTML = ("<html lang='en'><head><title>T</title></head>"
        "<body><h1>Title</h1><p>Words.</p></body></html>")


class Counted:
    """A renderer registered for this process's renders, counting the renders it did."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.done = 0
        self.declined = 0
        self.stopped = 0  # renders that raised: a fit check's no, a second layout, an error

    def __call__(self, html: str, **options: object) -> tuple[bytes, list[str]] | None:
        try:
            result = self.renderer.render(html, **options)  # type: ignore[arg-type]
        except BaseException:
            self.stopped += 1
            raise
        if result is None:
            self.declined += 1
        else:
            self.done += 1
        return result


@pytest.fixture
def renderer() -> Iterator[Counted]:
    started = Renderer.start(memory_mb=2048)
    assert started is not None
    counted = Counted(started)
    pdf.render_elsewhere(counted)
    try:
        yield counted
    finally:
        pdf.render_elsewhere(None)
        started.stop()


def _here(html: str, tmp: Path) -> tuple[bytes, list[str]]:
    """Render in this process, with the registered renderer put aside meanwhile."""
    registered = list(pdf._ELSEWHERE)
    pdf.render_elsewhere(None)
    try:
        return pdf.render_pdf(html, roots=(tmp,), base_url=tmp)
    finally:
        for renderer in registered:
            pdf.render_elsewhere(renderer)


def test_brochures_from_the_renderer_are_byte_identical_to_ones_rendered_here(
        make_project, renderer: Counted) -> None:
    root = make_project()
    layouts = ["handout", "trifold", "booklet", "poster"]  # tri-fold, booklet: laid out twice
    pdf.render_elsewhere(None)
    here = brochure.build(project=root, conditions=["back-pain"], layout=layouts, jobs=1,
                          out=root / "here")
    pdf.render_elsewhere(renderer)
    there = brochure.build(project=root, conditions=["back-pain"], layout=layouts, jobs=1,
                           out=root / "there")
    assert (renderer.done, renderer.stopped, renderer.declined) == (len(layouts), 2, 0)
    names = sorted(p.name for p in here.outputs)
    assert names == sorted(p.name for p in there.outputs)
    for name in names:
        assert (root / "there" / name).read_bytes() == (root / "here" / name).read_bytes(), name


def test_a_brochure_that_does_not_fit_fails_the_same_way_and_nothing_is_written(
        make_project, renderer: Counted) -> None:
    long_key = "Dry needling may ease your back pain as part of your care. " * 12
    root = make_project({"handouts/conditions/back-pain.yaml": CONDITION.replace(
        "key_message: Dry needling may ease your back pain as part of your care.",
        f"key_message: {long_key.strip()}")})
    failures = []
    for registered in (None, renderer):
        pdf.render_elsewhere(registered)
        with pytest.raises(BuildFailed) as failed:
            brochure.build(project=root, layout="poster", jobs=1, force=True)
        failures.append(failed.value.result.failed)
    assert failures[0] == failures[1]
    assert "poster panel 'poster' overflows by" in failures[1][0][1]
    assert not list(root.glob("dist/*.pdf"))
    # The layout was dropped in step: the same renderer goes on with the next brochure.
    assert brochure.build(project=root, layout="handout", jobs=1).built
    assert (renderer.done, renderer.stopped) == (1, 1)
    assert renderer.renderer.process.poll() is None


def test_a_render_error_in_the_renderer_is_the_same_one_line_error(
        tmp_path: Path, renderer: Counted) -> None:
    (tmp_path / "logo.png").write_bytes(b"not a png at all")
    page = HTML.replace("<p>Words.</p>", "<img src='logo.png' alt='Logo'>")
    with pytest.raises(RenderError) as there:
        pdf.render_pdf(page, roots=(tmp_path,), base_url=tmp_path)
    with pytest.raises(RenderError) as here:
        _here(page, tmp_path)
    assert (renderer.done, renderer.stopped, renderer.declined) == (0, 1, 0)
    assert str(there.value) == str(here.value)
    assert "logo.png" in str(there.value)


def test_a_renderer_killed_mid_render_fails_that_brochure_and_the_next_render_here(
        tmp_path: Path, renderer: Counted) -> None:
    def kill(facts: Facts) -> None:
        assert facts.pages == 1
        os.kill(renderer.renderer.process.pid, signal.SIGKILL)
        renderer.renderer.process.wait(10)

    with pytest.raises(RenderError, match=r"^the renderer process stopped \(out of memory or "
                       r"killed\); the brochure was not written$"):
        pdf.render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path, inspect=kill)
    made, _ = pdf.render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path)
    assert renderer.declined == 1
    assert made == _here(HTML, tmp_path)[0]


def test_a_renderer_that_cannot_start_leaves_the_render_to_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, says nothing
    started = Renderer.start(memory_mb=2048)
    assert started is not None
    counted = Counted(started)
    pdf.render_elsewhere(counted)
    try:
        made, _ = pdf.render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path)
    finally:
        pdf.render_elsewhere(None)
        started.stop()
    assert counted.declined == 1 and counted.done == 0
    assert made == _here(HTML, tmp_path)[0]


def test_the_time_limit_stops_the_renderer_too(tmp_path: Path, renderer: Counted) -> None:
    rows = "".join(f"<tr><td>Row {i}</td><td>Rare</td><td>Mild</td></tr>" for i in range(40_000))
    slow = HTML.replace("<p>Words.</p>", f"<table>{rows}</table>")
    with pytest.raises(JobTimeout), time_limit(1):
        pdf.render_pdf(slow, roots=(tmp_path,), base_url=tmp_path)
    assert renderer.renderer.process.poll() is not None  # stopped, not left rendering
    made, _ = pdf.render_pdf(HTML, roots=(tmp_path,), base_url=tmp_path)
    assert made == _here(HTML, tmp_path)[0]


def _fresh_python(code: str, cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=cwd, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_renderer_process_imports_nothing_of_the_composing_code() -> None:
    loaded = _fresh_python(
        "import sys\n"
        "import brochure.render.service, brochure.render.pdf, brochure.render.fetch\n"
        "import brochure.render.pdflang, brochure.render.measure\n"
        "heavy = ('pydantic', 'jinja2', 'yaml', 'markdown_it', 'babel', 'click', 'segno')\n"
        "print(sorted(m for m in heavy if m in sys.modules))")
    assert loaded == "[]"


def test_weasyprint_opens_the_same_libraries_when_found_by_soname() -> None:
    if not sys.platform.startswith("linux"):  # elsewhere the lookup is left as it is
        import ctypes.util

        from brochure.render.service import _sonames_only

        lookup = ctypes.util.find_library
        with _sonames_only():
            assert ctypes.util.find_library is lookup
        return
    maps = ("import re\n"
            "libs = set(re.findall(r'\\S+/lib(?:pango|harfbuzz|fontconfig|gobject)[^/\\s]*',\n"
            "           open('/proc/self/maps').read()))\n"
            "print('\\n'.join(sorted(libs)))")
    plain = _fresh_python("import weasyprint\n" + maps)
    quick = _fresh_python("from brochure.render.service import _sonames_only\n"
                          "with _sonames_only():\n    import weasyprint\n"
                          "import ctypes.util\n"
                          "assert ctypes.util.find_library('c')  # the real lookup is back\n"
                          + maps)
    assert quick == plain
    assert "libpango" in quick and "libharfbuzz" in quick


SCRIPT = """
import sys
from brochure.render import service
done = []
ask = service.Renderer.render
def render(self, *args, **kwargs):
    result = ask(self, *args, **kwargs)
    done.append(result is not None)
    return result
service.Renderer.render = render
from brochure.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(done)
"""


def test_one_brochure_from_the_command_line_renders_in_a_renderer_process(
        make_project) -> None:
    root = make_project()
    brochure.build(project=root, conditions=["back-pain"], layout="handout", jobs=1,
                   out=root / "here")
    one = ["build", "back-pain", "--layout", "handout", "--paper", "letter", "-q"]
    used = subprocess.run([sys.executable, "-c", SCRIPT, *one, "--out", "there"], cwd=root,
                          capture_output=True, text=True, timeout=120, check=False)
    assert used.returncode == 0, used.stderr
    assert used.stdout.strip() == "[True]"
    name = "back-pain.handout.letter.en.pdf"
    assert (root / "there" / name).read_bytes() == (root / "here" / name).read_bytes()
    # --jobs 1 keeps every render in the build's own process; a build with nothing to do
    # stops the renderer it started ahead, unused.
    for options in (["--jobs", "1", "--force"], []):
        other = subprocess.run([sys.executable, "-c", SCRIPT, *one, *options],
                               cwd=root, capture_output=True, text=True, timeout=120,
                               check=False)
        assert other.returncode == 0, other.stderr
        assert other.stdout.strip() == "[]"


def test_a_renderer_left_rendering_by_a_build_that_died_leaves_on_its_own(
        tmp_path: Path) -> None:
    started = Renderer.start(memory_mb=2048, seconds=1)
    assert started is not None
    rows = "".join(f"<tr><td>Row {i}</td></tr>" for i in range(200_000))
    try:
        assert started.back.recv() == ("ready",)
        # What a build that is killed mid-render leaves: a request nobody waits for.
        started.to.send(("render", {
            "html": HTML.replace("<p>Words.</p>", f"<table>{rows}</table>"),
            "roots": (tmp_path,), "base_url": tmp_path, "css": None, "variant": "pdf/ua-1",
            "svg": None, "inspect": False, "tmp": str(tmp_path)}))
        assert started.process.wait(60) == 1  # its time limit plus a second, not more
    finally:
        started.stop(kill=True)


def test_a_personal_copy_from_the_command_line_renders_in_a_renderer_process(
        make_project, tmp_path: Path) -> None:
    root = make_project()
    who = ["--patient", "Ana Pérez", "--note", "Walk for ten minutes twice a day."]
    brochure.personalise(project=root, condition="back-pain", patient="Ana Pérez",
                         note="Walk for ten minutes twice a day.", out=tmp_path / "here.pdf")
    used = subprocess.run([sys.executable, "-c", SCRIPT, "personalise", "back-pain", *who,
                           "--out", str(tmp_path / "there.pdf")], cwd=root,
                          capture_output=True, text=True, timeout=120, check=False)
    assert used.returncode == 0, used.stderr
    assert used.stdout.strip().splitlines()[-1] == "[True]"
    assert (tmp_path / "there.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
