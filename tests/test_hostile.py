"""Hostile and careless input, round two: templates as data, files only from inside the
project, every input in the hash, broken images and fonts with messages.

Cases a fixture in tests/fixtures/bad/ cannot express (links, FIFOs, binary images, a
sequence of builds) live here, each with its exact message.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from tests.conftest import CLINIC, INTRO
from tests.geometry import MARGINS, text_area

import brochure
from brochure.cli import main
from brochure.compose.brochure import assemble
from brochure.compose.html import render_html
from brochure.content.assets import package_templates_dir
from brochure.content.layouts import get_layout
from brochure.content.project import load_project
from brochure.engine import Engine, Limits
from brochure.errors import BuildFailed, TemplateError, UsageError
from brochure.fonts import font_files

PDF = "back-pain.handout.letter.en.pdf"


def png(colour: tuple[int, int, int], size: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()


def build(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, prog_name="brochure")
    return result.exit_code, result.stderr


def failure(root: Path, **options: object) -> str:
    with pytest.raises(BuildFailed) as info:
        brochure.build(project=root, **options)  # type: ignore[arg-type]
    [(_, reason)] = info.value.result.failed
    return reason


# --- every input is in the hash --------------------------------------------------------


def test_editing_any_kind_of_input_rebuilds(make_project) -> None:
    logo = CLINIC + "logo:\n  file: assets/logo.png\n  alt: Test Clinic logo\n"
    font = font_files()[0][0]
    css = ('@font-face { font-family: "Own"; src: url(../assets/fonts/own.ttf); }\n'
           '.cover { background: url(dot.png) no-repeat; }\nh1 { font-family: "Own"; }\n')
    template = (package_templates_dir() / "handout.html.j2").read_text("utf-8")
    root = make_project({"handouts/clinic.yaml": logo, "assets/logo.png": png((0, 0, 0)),
                         "styles/handout.css": css, "styles/dot.png": png((9, 9, 9)),
                         "assets/fonts/own.ttf": font.read_bytes(),
                         "templates/handout.html.j2": template,
                         "assets/deep/a/b/c/notes.txt": "a"})
    assert brochure.build(project=root).built == [PDF]
    edits = {
        "assets/logo.png": png((200, 0, 0)),
        "styles/dot.png": png((0, 200, 0)),  # reached only from the stylesheet
        "assets/fonts/own.ttf": font_files()[1][0].read_bytes(),
        "templates/handout.html.j2": template + "\n",
        "styles/handout.css": css + "\n",
        "assets/deep/a/b/c/notes.txt": "b",
        "handouts/clinic.yaml": logo.replace("Test Clinic logo", "The clinic's logo"),
        "handouts/topics/intro.yaml": (root / "handouts/topics/intro.yaml").read_text()
        .replace("What is dry needling?", "What is dry needling, really?"),
    }
    for rel, content in edits.items():
        assert brochure.build(project=root).built == [], rel
        path = root / rel
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
        assert brochure.build(project=root).built == [PDF], f"{rel} changed but no rebuild"


# --- files from outside the project ----------------------------------------------------


def test_an_assets_folder_that_links_out_is_refused(make_project) -> None:
    root = make_project()
    (root / "assets").symlink_to("/usr/share")
    assert build(["build"]) == (1, (
        "assets:1:1: the folder is a link that points outside the project; make it a real "
        "folder inside the project\n1 problem found in the content\n"))


def test_a_file_in_assets_that_links_out_is_refused(make_project) -> None:
    root = make_project({"assets/ok.txt": "ok"})
    (root / "assets/leak.png").symlink_to("/etc/hostname")
    assert build(["build"]) == (1, (
        "assets/leak.png:1:1: it is a link that points outside the folders brochures may "
        "read from; copy the file into the project\n1 problem found in the content\n"))


def test_a_topic_that_links_out_is_refused(make_project, tmp_path: Path) -> None:
    root = make_project()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    shutil.copy(root / "handouts/topics/intro.yaml", outside)
    (root / "handouts/topics/intro.yaml").unlink()
    (root / "handouts/topics/intro.yaml").symlink_to(outside)
    assert build(["build"]) == (1, (
        "handouts/topics/intro.yaml:1:1: it is a link that points outside the folders "
        "brochures may read from; copy the file into the project\n"
        "1 problem found in the content\n"))


def test_a_fifo_topic_is_refused_without_waiting(make_project) -> None:
    root = make_project()
    os.mkfifo(root / "handouts/topics/x.yaml")
    assert build(["build"]) == (1, (
        "handouts/topics/x.yaml:1:1: it is a named pipe (FIFO), not a file; replace it with "
        "a regular file\n1 problem found in the content\n"))


def test_a_link_to_dev_zero_is_refused_by_type(make_project) -> None:
    root = make_project()
    (root / "handouts/topics/intro.yaml").unlink()
    (root / "handouts/topics/intro.yaml").symlink_to("/dev/zero")
    code, err = build(["build"])
    assert (code, err) == (1, (
        "handouts/topics/intro.yaml:1:1: it is a link that points outside the folders "
        "brochures may read from; copy the file into the project\n"
        "1 problem found in the content\n"))


def test_a_template_include_that_links_out_is_refused(make_project) -> None:
    root = make_project({"templates/handout.html.j2":
                         '{% extends "base.html.j2" %}{% block body %}'
                         '{% include "leak.j2" %}{% endblock %}'})
    (root / "templates/leak.j2").symlink_to("/etc/passwd")
    assert build(["build"]) == (1, (
        "templates/leak.j2:1:1: it is a link that points outside the folders brochures may "
        "read from; copy the file into the project\n1 problem found in the content\n"))
    # The template loader refuses it too, wherever templates are rendered.
    project = load_project(root)
    with pytest.raises(TemplateError) as info:
        render_html(root, assemble(project, project.conditions["back-pain"],
                                   layout=get_layout("handout"), paper="letter"))
    assert str(info.value) == (
        "templates/leak.j2:1: cannot use the template: it is a link that points outside the "
        "folders brochures may read from; copy the file into the project")


def test_a_stylesheet_that_links_out_is_refused_and_not_printed(make_project) -> None:
    root = make_project({"styles/base.css": None})
    (root / "styles").mkdir()
    (root / "styles/handout.css").symlink_to("/etc/passwd")
    code, err = build(["build", "--html"])
    assert code == 1
    assert "root:" not in err
    assert err == (
        "styles/handout.css:1:1: it is a link that points outside the folders brochures may "
        "read from; copy the file into the project\n1 problem found in the content\n")
    assert not list((root / "dist").glob("*.html"))


# --- templates are data ----------------------------------------------------------------


@pytest.mark.parametrize("expression", [
    "cycler.__init__.__globals__.os.popen('id').read()",
    "b.origin.file.read_text()",
    "b.origin.file.parent.parent.joinpath('x').write_text('x')",
    "''.__class__.__mro__[1].__subclasses__()",
    "b.__class__",
])
def test_a_template_cannot_reach_python(make_project, expression: str) -> None:
    root = make_project({"templates/handout.html.j2":
                         '{% extends "base.html.j2" %}{% block body %}\n'
                         f"<p>{{{{ {expression} }}}}</p>\n{{% endblock %}}\n"})
    reason = failure(root)
    assert reason.startswith("templates/handout.html.j2:2: the template reaches for something "
                             "templates may not use ("), reason
    assert reason.endswith("); use only the values the tool passes (b, clinic, brand, "
                           "font_family, styles, ui, _)")
    assert not (root / "x").exists()


def test_the_fill_filter_fills_plain_fields_only(make_project) -> None:
    root = make_project({"templates/handout.html.j2":
                         '{% extends "base.html.j2" %}{% block body %}\n'
                         "{% set who %}<b>{{ b.title }}</b>{% endset %}"
                         '<p id="x">{{ "{x.__class__} {0} <i> {who}" | fill(x=b, who=who) }}</p>\n'
                         "{% endblock %}\n"})
    project = load_project(root)
    brochure_ = assemble(project, project.select([])[0], layout=get_layout("handout"),
                         paper="letter")
    html = render_html(root, brochure_)
    assert '<p id="x">{x.__class__} {0} &lt;i&gt; <b>Dry needling for back pain</b></p>' in html


# --- images ----------------------------------------------------------------------------


def test_a_broken_logo_names_the_file_and_the_reason(make_project) -> None:
    logo = CLINIC + "logo:\n  file: assets/logo.png\n  alt: Test Clinic logo\n"
    root = make_project({"handouts/clinic.yaml": logo, "assets/logo.png": b"not a png"})
    assert failure(root) == (
        "handouts/clinic.yaml:15:16: cannot use the image 'assets/logo.png': it is not an "
        "image the renderer can read; save it as PNG, JPEG or SVG")


def test_a_decompression_bomb_is_a_message_not_a_warning(make_project) -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 million pixels, a few kB
    logo = CLINIC + "logo:\n  file: assets/logo.png\n  alt: Test Clinic logo\n"
    make_project({"handouts/clinic.yaml": logo, "assets/logo.png": out.getvalue()})
    code, err = build(["build", "--memory-limit", "300"])
    assert (code, err) == (1, (
        "error: back-pain.handout.letter.en.pdf: handouts/clinic.yaml:15:16: cannot use the "
        "image 'assets/logo.png': the image has too many pixels to decode safely; save it "
        "smaller (a logo needs at most a few thousand pixels across)\n"
        "error: 1 of 1 brochure failed; fix the errors above and build again\n"))


def test_a_refusal_inside_an_svg_names_the_svg(make_project) -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
           ' width="10" height="10"><image href="file:///etc/hostname" width="10" '
           'height="10"/></svg>\n')
    logo = CLINIC + "logo:\n  file: assets/logo.svg\n  alt: Test Clinic logo\n"
    root = make_project({"handouts/clinic.yaml": logo, "assets/logo.svg": svg})
    assert failure(root) == (
        "assets/logo.svg:1:120: refused to load 'file:///etc/hostname': it is outside the "
        "project's assets/, styles/ and templates/ folders; copy the file into assets/")


# --- limits apply to one brochure as to many ------------------------------------------


def _hungry_setup() -> Callable[[int], int]:
    def task(megabytes: int) -> int:
        return len(bytearray(megabytes * 1024 * 1024))

    return task


def test_the_memory_limit_applies_to_a_job_in_this_process() -> None:
    here = Engine(0, limits=Limits(seconds=60, memory_mb=512))
    [outcome] = here.run([3000], setup=_hungry_setup, describe=str)
    assert outcome.error == "stopped: it needed more than 512 MB of memory (the limit)"
    [fine] = here.run([8], setup=_hungry_setup, describe=str)
    assert fine.result == 8 * 1024 * 1024  # the limit is lifted again afterwards
    assert len(bytearray(1024 * 1024 * 1024)) == 1024 ** 3


# --- tampered manifests and odd names ----------------------------------------------------


# A manifest that is not one a build wrote at all is refused: see test_write_paths.py.
@pytest.mark.parametrize("text", [
    '{"format": 1, "tool": "x", "outputs": {"back-pain.handout.letter.en.pdf": '
    '{"condition": 5, "layout": [], "paper": null, "language": "en", "inputs": "x", '
    '"pages": "2", "bytes": {}, "render_seconds": "slow"}}}',
    '{"format": 1, "tool": "x", "outputs": []}',
])
def test_a_tampered_manifest_only_makes_the_build_start_over(make_project, text: str) -> None:
    root = make_project()
    (root / "dist").mkdir()
    (root / "dist/manifest.json").write_text(text, "utf-8")
    assert build(["build", "-q"]) == (0, "")
    assert brochure.build(project=root).unchanged == [PDF]


def test_a_control_character_in_a_path_option_is_a_usage_error(make_project) -> None:
    make_project()
    for value, shown in (("di\x00st", "di\\\\x00st"), ("a\nb", "a\\\\x0ab")):
        code, err = build(["build", "--out", value])
        assert code == 2
        assert err.splitlines()[-1] == (
            f"Error: Invalid value for '--out': '{shown}' holds a control character; give a "
            "plain folder or file name")
    with pytest.raises(UsageError, match="holds a control character"):
        brochure.build(project=".", out="di\x00st")


def test_a_file_name_with_a_newline_stays_on_one_line(make_project) -> None:
    root = make_project()
    (root / "handouts/topics/in\ntro\x1b[31m.yaml").write_text("title: x\n", "utf-8")
    code, err = build(["build"])
    assert code == 1
    assert err.splitlines()[0] == (
        "handouts/topics/in\\x0atro\\x1b[31m.yaml:1:1: file names must be lowercase letters, "
        "digits and hyphens ending in '.yaml' (for example 'back-pain.yaml'); rename the file")


# --- long words and web addresses ------------------------------------------------------


def test_long_words_and_addresses_wrap_inside_the_page_in_every_layout(make_project) -> None:
    import pdfplumber

    word = "Supercalifragilistic" * 12
    url = "https://www.example-clinic.test/" + "very-long-path-segment/" * 8
    intro = INTRO.replace("We talk with you.", f"We talk {word} with you.").replace(
        "Rest for a day.", f"Rest for a day. See {url}")
    root = make_project({"handouts/topics/intro.yaml": intro})
    result = brochure.build(project=root, layout="all")
    assert len(result.built) == 5
    for name in result.built:
        with pdfplumber.open(root / "dist" / name) as pdf:
            everything = ""
            for page in pdf.pages:
                assert all(c["x0"] >= 0 and c["x1"] <= page.width + 0.5 for c in page.chars), \
                    f"{name}: text outside the page"
                assert all(c["top"] >= 0 and c["bottom"] <= page.height + 0.5
                           for c in page.chars), f"{name}: text outside the page"
                layout = name.split(".")[1]
                if layout in MARGINS:  # the text area only: a word may run on overleaf,
                    area = text_area(page, layout)  # past the running footer
                    everything += "".join(c["text"] for c in page.chars
                                          if area.top - 1 <= c["top"] <= area.bottom)
        if "handout" in name or "booklet" in name or "large-print" in name:
            # in order, list markers drawn after the page's text aside
            everything = everything.replace("•", "").replace(" ", "")
            assert word in everything and "very-long-path-segment/" * 8 in everything, name


# --- fonts: only ours, and a missing glyph is named -------------------------------------


def test_no_machine_font_is_embedded_and_a_missing_glyph_is_named(make_project) -> None:
    from tests.pdfread import fonts

    intro = INTRO.replace("title: What is dry needling?", "title: What is dry needling? \u91dd")
    css = (Path(brochure.__file__).parents[2] / "styles/handout.css").read_text("utf-8")
    root = make_project({"handouts/topics/intro.yaml": intro,
                         "styles/handout.css": css + '\nh1 { font-family: "DejaVu Sans Mono", '
                                                     'monospace; }\n'})
    code, err = build(["build", "-q"])
    assert (code, err) == (0, (
        "warning: back-pain.handout.letter.en.pdf: handouts/topics/intro.yaml:1:30: W003 no "
        "font of the brochure has the character '\u91dd' (U+91DD) in 'title: What is dry "
        "needling? \u91dd', so it prints as an empty box; write it another way, or add a font "
        "that has it to assets/ with @font-face\n"))
    names = {name.split("+", 1)[1] for name, _ in fonts(root / "dist" / PDF)}
    assert names <= {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold",
                     "Atkinson-Hyperlegible-Italic", "Atkinson-Hyperlegible-BoldItalic"}, names
    strict = CliRunner().invoke(main, ["check", "--strict"], prog_name="brochure")
    assert strict.exit_code == 1
    assert ("handouts/topics/intro.yaml:1:30: W003 warning: no font of the brochure has the "
            "character '\u91dd' (U+91DD)") in strict.stdout


def test_an_escape_sequence_typed_on_the_command_line_is_not_echoed_raw(make_project) -> None:
    make_project()
    assert build(["build", "--topics", "intro,\x1b]0;owned\x07"]) == (2, (
        "error: unknown topic '\\x1b]0;owned\\x07'; run 'brochure list' to see the "
        "topics\n"))
