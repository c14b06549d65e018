"""Property-based tests: any YAML, and any mutation of the real content, ends in success or
a BrochureError that names a file and line, never another exception.

The default suite runs a short pass; `make fuzz` runs 10,000 examples of each.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import ROOT, minimal_files, write_tree

from brochure.compose.brochure import assemble
from brochure.compose.html import render_html
from brochure.content.layouts import get_layout
from brochure.content.project import load_project
from brochure.errors import BrochureError, ContentError

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("medium", max_examples=600, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    st.dates())
KEYS = ["title", "key_message", "blocks", "kind", "text", "items", "header", "rows", "low",
        "high", "words", "source", "sources", "id", "reviewed", "on", "by", "heading", "tone",
        "measure", "topics", "sections", "name", "phone"]
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner,
                        max_size=6),
    ),
    max_leaves=30,
)


@contextmanager
def project(files: dict[str, str | bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files)
        yield root


def outcome(root: Path) -> None:
    """Load, validate and compose; only a BrochureError with file and line may escape."""
    try:
        proj = load_project(root)
        for item in proj.conditions.values():
            render_html(root, assemble(proj, item, layout=get_layout("handout"),
                                       paper="letter"))
    except ContentError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file and problem.line >= 1 and problem.column >= 1, problem
    except BrochureError as exc:
        assert str(exc)


@given(documents)
def test_random_yaml_documents(doc: object) -> None:
    files = minimal_files()
    files["handouts/topics/intro.yaml"] = yaml.safe_dump(doc, allow_unicode=True)
    with project(files) as root:
        outcome(root)


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_random_bytes_and_text(raw: bytes | str) -> None:
    files = minimal_files()
    files["handouts/conditions/back-pain.yaml"] = raw
    with project(files) as root:
        outcome(root)


REAL = sorted(p.relative_to(ROOT) for p in (ROOT / "handouts").rglob("*.yaml"))


@st.composite
def mutations(draw: st.DrawFn) -> tuple[Path, str]:
    rel = draw(st.sampled_from(REAL))
    lines = (ROOT / rel).read_text("utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent",
                                   "insert", "truncate", "replace"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i].lstrip(" ")
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            junk = draw(st.text(alphabet=":-[]{}#&*!|>'\"%@`\t ,?abc0\n", max_size=6))
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        elif op == "truncate":
            lines = lines[:i]
        elif op == "replace":
            pos = draw(st.integers(0, max(0, len(lines[i]) - 1)))
            char = draw(st.characters(exclude_categories=("Cs",)))
            lines[i] = lines[i][:pos] + char + lines[i][pos + 1:]
    return rel, "".join(lines)


@given(mutations())
def test_mutated_real_content(change: tuple[Path, str]) -> None:
    rel, text = change
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "handouts", root / "handouts")
        (root / rel).write_text(text, encoding="utf-8")
        outcome(root)


# --- templates, CSS URLs, manifests and command-line options ---------------------------

JINJA_PARTS = ["{{ ", " }}", "{% ", " %}", "{# ", " #}", "b", "clinic", "brand", ".", "title",
               "parts", "__class__", "__init__", "__globals__", "__mro__", "__subclasses__()",
               "origin", "file", "read_text()", "|md", "|plain", "|length", "|attr('x')",
               "(", ")", "[0]", "[", "]", "'x'", "1", "+", "*", "**", "range(99999999)",
               "for p in b.parts", "endfor", "if", "endif", "include 'base.html.j2'",
               "macro m()", "endmacro", "m()", "set x = ", "cycler", "joiner", "lipsum",
               "namespace", "self", "super()", "loop", "chart", "qr(", "digest(",
               "'{{'", "\n", " ", "<", ">", "&", "\x00", "\u202e"]
template_bodies = st.lists(st.sampled_from(JINJA_PARTS), max_size=25).map("".join) | \
    st.text(max_size=80)


@given(template_bodies)
def test_random_templates(body: str) -> None:
    files = minimal_files()
    files["templates/handout.html.j2"] = (
        '{% extends "base.html.j2" %}\n{% block body %}\n' + body + "\n{% endblock %}\n")
    with project(files) as root:
        outcome(root)


URL_PARTS = ["../", "./", "/", "assets/", "styles/", "x.png", "file://", "file:///etc/",
             "http://", "data:", "image/png;base64,", "%2e%2e/", "%00", "\\", "?", "#", " ",
             "'", '"', ")", "(", "\n", "~", "..", "//", "C:", "javascript:"]
css_urls = st.lists(st.sampled_from(URL_PARTS), max_size=8).map("".join) | st.text(max_size=40)


@given(css_urls)
def test_random_css_urls(url: str) -> None:
    from brochure.compose.cssurls import absolute_urls
    from brochure.render.fetch import Refusal, check_url, make_fetcher

    with project({"styles/x.png": "png", "assets/y.png": "png"}) as root:
        sheet = root / "styles" / "handout.css"
        for css in (f"a {{ background: url({url}); }}", f'a {{ background: url("{url}"); }}',
                    f'@import "{url}";'):
            rewritten = absolute_urls(css, sheet)
            assert isinstance(rewritten, str)
        roots = ((root / "styles").resolve(), (root / "assets").resolve())
        target = url if url.startswith(("file:", "data:")) else (sheet.as_uri() + "/../" + url)
        path, _ = check_url(target, roots)
        if path is not None:
            assert any(path == r or r in path.parents for r in roots)
        refused: list[Refusal] = []
        try:
            make_fetcher(roots, refused).fetch(target)
        except ValueError:
            assert refused
            assert all("\n" not in r.reason for r in refused)


manifest_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["format", "tool", "outputs", "condition", "layout", "paper",
                                 "language", "inputs", "pages", "bytes", "render_seconds",
                                 "files", "x.pdf", "../x.pdf"]) | st.text(max_size=6),
                                inner, max_size=6)),
    max_leaves=20)


@st.composite
def manifest_texts(draw: st.DrawFn) -> str:
    import json

    good = {"format": 1, "tool": "0", "outputs": {"a.handout.letter.en.pdf": {
        "condition": "a", "layout": "handout", "paper": "letter", "language": "en",
        "inputs": "0" * 64, "pages": 1, "bytes": 1, "render_seconds": 0.5, "files": []}}}
    kind = draw(st.sampled_from(["random", "mutated", "text"]))
    if kind == "text":
        return draw(st.text(max_size=200))
    if kind == "random":
        return json.dumps(draw(manifest_values), allow_nan=True)
    entry = good["outputs"]["a.handout.letter.en.pdf"]
    key = draw(st.sampled_from(sorted(entry)))
    entry[key] = draw(manifest_values)  # type: ignore[index]
    return json.dumps(good, allow_nan=True)


@given(manifest_texts())
def test_random_manifests(text: str) -> None:
    from click.testing import CliRunner

    from brochure.catalogue.manifest import ManifestError, parse, read
    from brochure.cli import main

    with project({"m.json": text}) as root:
        try:
            entries = parse(root / "m.json")
        except ManifestError as exc:
            assert "\n" not in str(exc)
        else:
            assert all("/" not in name for name in entries)
        assert isinstance(read(root / "m.json"), dict)
        result = CliRunner().invoke(main, ["manifest", "merge", str(root / "m.json"), "--out",
                                           str(root / "out.json")], prog_name="brochure")
        assert result.exit_code in (0, 2), result.output
        assert "internal error" not in result.output and "Traceback" not in result.output


OPTION_VALUES = ["", "0", "1", "-1", "nan", "inf", "-inf", "1e10", "1e400", "256", "abc",
                 "1/0", "0/0", "5/4", "1/1", "x/y", "a4", "letter", "all", "handout",
                 "trifold,poster", "intro,safety", "..", "/", "/dev/null", "dist\x00",
                 "a\nb", "\x1b[31m", "-", "--", "9" * 30, "back-pain", " "]
OPTIONS = ["--layout", "--paper", "--topics", "--out", "--jobs", "--shard", "--location",
           "--time-limit", "--memory-limit", "--project"]
FLAGS = ["--force", "--quiet", "--print-shop", "--html", "--check", "--help"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    args = ["build"]
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            args += [draw(st.sampled_from(OPTIONS)),
                     draw(st.sampled_from(OPTION_VALUES) | st.text(max_size=8))]
        else:
            args.append(draw(st.sampled_from(FLAGS)))
    return args


@given(command_lines())
def test_random_command_lines(args: list[str]) -> None:
    from click.testing import CliRunner

    from brochure.cli import main

    files = minimal_files()
    # Broken content: every option is parsed and checked, and nothing is rendered.
    files["handouts/topics/intro.yaml"] = "title: [unclosed\n"
    with project(files) as root:
        cwd = Path.cwd()
        os.chdir(root)
        try:
            result = CliRunner().invoke(main, args, prog_name="brochure")
        finally:
            os.chdir(cwd)
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert "internal error" not in result.output, (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), args


# --- the e-mail template ---------------------------------------------------------------

MAIL_PARTS = ["Subject: ", "Hi", "\n", "\n\n", "\r", "\u2028", "\x00", "{{ ", " }}", "{% ",
              " %}", "clinic", "patient", "by", "title", "phone", "attachment", "encrypted",
              ".", "name", "__class__", "__init__", "__globals__", "__mro__",
              "__subclasses__()", "__builtins__", "os", ".popen('touch RAN')", ".read()",
              "cycler", "joiner", "lipsum", "namespace", "self", "range", "(", ")", "[0]",
              "'x'", "*", "**", "99999999", "|attr('__class__')", "|string", "|format(1)",
              "'{0.__class__}'.format(clinic)", "include 'leak.txt'", "include 'secret.txt'",
              "include '../outside/secret.txt'", "import 'leak.txt' as l", "extends 'leak.txt'",
              "include 'message.txt.j2'", "if ", "endif", "for x in clinic", "endfor",
              "set x = ", "model_dump()", "model_config", "model_copy", "model_fields",
              "~", "+", "1", "-", " "]
mail_templates = st.lists(st.sampled_from(MAIL_PARTS), max_size=20).map("".join) | \
    st.text(max_size=60)
mail_values = st.fixed_dictionaries({
    "patient": st.text(max_size=20), "by": st.text(max_size=20), "title": st.text(max_size=20),
    "phone": st.text(max_size=12), "attachment": st.sampled_from(["back-pain.pdf", "a b.pdf"]),
    "encrypted": st.booleans()})
SECRET = "SECRET-OUTSIDE-THE-TEMPLATES"


@pytest.fixture(scope="module")
def mail_project() -> Iterator[tuple[Path, object]]:
    """A project whose templates/ holds a link to a file outside it, and its clinic."""
    with project(minimal_files()) as root:
        (root / "outside").mkdir()
        (root / "outside" / "secret.txt").write_text(SECRET, "utf-8")
        (root / "templates").mkdir()
        (root / "templates" / "leak.txt").symlink_to(root / "outside" / "secret.txt")
        yield root, load_project(root).clinic


@given(mail_templates, mail_values)
def test_random_mail_templates(mail_project: tuple[Path, object], body: str,
                               values: dict[str, object]) -> None:
    """Any message template and values: a Letter and a message, or one BrochureError line."""
    from brochure.personal.mail import Letter, Origins, build_message, write_letter

    root, clinic = mail_project
    (root / "templates" / "message.txt.j2").write_text(body, "utf-8")
    ran = Path.cwd() / "RAN"
    try:
        letter = write_letter(root, language="en", values={"clinic": clinic, **values})
        assert isinstance(letter, Letter)
        data = build_message(clinic_name="Test Clinic", sender="Clinic <c@example.test>",
                             to="p@example.test", reply_to="r@example.test", letter=letter,
                             attachment=b"%PDF-1.7", filename="back-pain.pdf",
                             origins=Origins("smtp.toml: from", "clinic.yaml: contact.email",
                                             "clinic.yaml: name")).as_bytes()
    except BrochureError as exc:
        assert exc.lines() == [str(exc)] and "\n" not in str(exc), str(exc)
        assert SECRET not in str(exc)
    else:
        assert SECRET not in letter.subject + letter.body
        assert b"\nBcc:" not in data and b"\r" not in data.split(b"\n\n", 1)[0]
    assert not ran.exists()


# --- PO files and a patient's note or name ----------------------------------------------


_TRANSLATED: dict[str, str | bytes] = {}


def translated_files() -> tuple[dict[str, str | bytes], str]:
    """Return a project translated into Spanish, and the PO file it exports (made once)."""
    from tests.test_translations import LANGUAGES, spanish

    from brochure import api

    if not _TRANSLATED:
        files: dict[str, str | bytes] = {**minimal_files(), "handouts/clinic.yaml": LANGUAGES}
        with project(files) as root:
            files.update(spanish(root))
            write_tree(root, files)
            api.export_translations(project=root, lang="es", out=root / "es.po")
            _TRANSLATED.update(files)
            _TRANSLATED["es.po"] = (root / "es.po").read_text("utf-8")
    files = {k: v for k, v in _TRANSLATED.items() if k != "es.po"}
    return files, str(_TRANSLATED["es.po"])


PO_PIECES = ['"', '\\"', "\\", "\\n", "\\r", "\\a", "\\t", "\\033", "\x1b", "\x00", "\x85",
             "\u2028", "\r", "\t", "#, fuzzy", "#~ ", "msgid", "msgstr", "msgstr[0]",
             "msgctxt", "msgid_plural", "#:", ":", "topics/intro.yaml", "clinic.yaml:",
             "blocks[0].text", "[", "]", "é", "Ã©", "**", "{", "}", "%s", " ", "\n"]
CHARSETS = ["utf-8", "UTF8", "iso-8859-1", "latin-1", "CHARSET", "cp1252", "ascii", "bogus",
            "utf-16", ""]


@st.composite
def po_files(draw: st.DrawFn) -> bytes:
    """A PO file: random bytes, or the project's own with a few lines changed."""
    _, po = translated_files()
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=300))
    lines = po.split("\n")
    junk = st.lists(st.sampled_from(PO_PIECES), max_size=6).map("".join) | \
        st.text(max_size=12)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["msgstr", "msgid", "msgctxt", "delete", "duplicate",
                                   "insert", "charset", "fuzzy", "truncate"]))
        if op in ("msgstr", "msgid", "msgctxt"):
            at = [n for n, line in enumerate(lines) if line.startswith(op + " ")] or [i]
            lines[draw(st.sampled_from(at))] = f'{op} "{draw(junk)}"'
        elif op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines[i:i] = lines[i:i + 4]
        elif op == "insert":
            lines.insert(i, draw(junk))
        elif op == "charset":
            lines = [re.sub(r"charset=[^\\]*", "charset=" + draw(st.sampled_from(CHARSETS)),
                            line) for line in lines]
        elif op == "fuzzy":
            lines.insert(i, "#, fuzzy")
        else:
            lines = lines[:i]
    text = "\n".join(lines)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8", "latin-1"])), "replace")


@given(po_files())
def test_random_po_files(raw: bytes) -> None:
    from click.testing import CliRunner

    from brochure.cli import main

    files, _ = translated_files()
    with project(files) as root:
        (root / "es.po").write_bytes(raw)
        before = {p: p.read_bytes() for p in (root / "handouts").rglob("*") if p.is_file()}
        result = CliRunner().invoke(main, ["translations", "import", str(root / "es.po"),
                                           "--lang", "es", "--project", str(root)])
        assert result.exit_code in (0, 1, 2), result.output
        assert "internal error" not in result.output and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        after = {p: p.read_bytes() for p in (root / "handouts").rglob("*") if p.is_file()}
        if result.exit_code:
            assert after == before  # a refused import writes nothing
            if result.exit_code == 2:
                assert result.stderr.count("\n") == 1, result.stderr
        else:
            load_project(root)  # whatever it wrote, the project loads: no broken file


@given(st.binary(max_size=300) | st.text(max_size=300), st.text(max_size=90))
def test_random_notes_and_names(raw: bytes | str, name: str) -> None:
    from brochure.compose.brochure import Personal
    from brochure.content.glyphs import covered, lacking
    from brochure.personal.cover import check_fonts, patient_name, read_note

    with project({"note.txt": raw}) as root:
        try:
            note = read_note(None, root / "note.txt")
            check_fonts(Personal(patient=patient_name(name), by="", author="", date="",
                                 note=note), lacking(covered(root)))
        except BrochureError as exc:
            message = str(exc)
            assert "\n" not in message
            for secret in (name.strip(), raw.strip() if isinstance(raw, str) else ""):
                if len(secret) >= 6:
                    assert secret not in message  # neither the name nor the note is repeated
