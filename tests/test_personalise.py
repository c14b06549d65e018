"""brochure personalise: a copy for one patient, read back from the PDF, and its errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.constants import UserAccessPermissions as Allow
from tests.conftest import CLINIC

import brochure
from brochure.cli import main
from brochure.errors import ContentError, UsageError

PATIENT = "Zebedee Quillfeather"
DAY = dt.date(2026, 11, 26)
PRACTITIONERS = """\
practitioners:
  - id: dana
    name: Dana Lee
    role: physiotherapist
    email: dana@test-clinic.test
  - name: Sam Ortiz
    role: massage therapist
"""


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, input=input)


@pytest.fixture
def project(make_project) -> Path:
    return make_project({"handouts/clinic.yaml": CLINIC + PRACTITIONERS})


def read(path: Path, password: str | None = None) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    if password is not None:
        assert reader.decrypt(password)
    words = " ".join((page.extract_text() or "") for page in reader.pages)
    return reader, " ".join(words.split())


def test_cover_note_and_topics_read_back_from_the_pdf(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "copy.pdf"
    done = brochure.personalise(
        project=project, condition="back-pain", patient=PATIENT, practitioner="dana",
        note="Walk for **10 minutes** twice a day.\n\n- Heat first\n- <b>then stretch</b>",
        topics=["safety"], out=out, today=DAY)
    assert done.out == out and not done.encrypted and done.pages == len(PdfReader(out).pages)
    reader, words = read(out)
    assert ("Prepared for Zebedee Quillfeather by Dana Lee, physiotherapist, on 26 November "
            "2026.") in words
    # The note is a boxed section of its own, before the condition's sections; Markdown
    # works and HTML prints as the text it is.
    assert ("A note from Dana Lee Walk for 10 minutes twice a day. Heat first <b>then "
            "stretch</b> What is back pain?") in words
    assert "Is dry needling safe?" in words and "What is dry needling?" not in words
    # The patient's name is in the pages only: not in the title or any other metadata.
    assert PATIENT not in repr(reader.metadata)
    assert reader.metadata is not None and reader.metadata.title == "Dry needling for back pain"
    assert reader.root_object["/Lang"] == "en" and "/StructTreeRoot" in reader.root_object
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.pdf"]
    assert out.stat().st_mode & 0o777 == 0o600


def test_without_practitioner_or_note_the_clinic_prepared_it(project: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "copy.pdf"
    brochure.personalise(project=project, condition="back-pain", patient="  Ana   Pérez ",
                         layout="large-print", paper="a4", out=out, today=DAY)
    reader, words = read(out)
    assert "Prepared for Ana Pérez by Test Clinic, on 26 November 2026." in words
    assert "A note from" not in words
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_password_gives_aes_256_with_the_accessibility_permission(project: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "locked.pdf"
    done = brochure.personalise(project=project, condition="back-pain", patient=PATIENT,
                                note="See you **Tuesday**.", password="open sesame", out=out,
                                today=DAY)
    assert done.encrypted
    reader = PdfReader(out)
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"], encrypt["/Length"]) == (5, 6, 256)
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert not reader.decrypt("wrong")
    reader, words = read(out, "open sesame")
    assert PATIENT in words and "See you Tuesday." in words
    allowed = Allow(reader.user_access_permissions or 0)
    assert Allow.EXTRACT_TEXT_AND_GRAPHICS in allowed and Allow.PRINT in allowed
    assert Allow.MODIFY not in allowed
    assert "/StructTreeRoot" in reader.root_object  # still tagged for screen readers


def test_cli_prompts_for_the_password(project: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BROCHURE_PDF_PASSWORD", raising=False)
    out = tmp_path / "copy.pdf"
    result = invoke("personalise", "back-pain", "--patient", PATIENT, "--password",
                    "--out", str(out), input="pa55word\npa55word\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out} (")
    assert result.stdout.endswith(" KB, encrypted with AES-256)\n")
    assert PATIENT not in result.output and "pa55word" not in result.output
    assert PdfReader(out).decrypt("pa55word")


def test_cli_takes_the_password_from_the_environment(project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROCHURE_PDF_PASSWORD", "from-env")
    out = tmp_path / "copy.pdf"
    result = invoke("personalise", "back-pain", "--patient", PATIENT, "--password",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    assert PdfReader(out).decrypt("from-env")


def test_a_copy_in_spanish_speaks_spanish(make_project, tmp_path: Path) -> None:
    from tests.test_translations import LANGUAGES, spanish

    root = make_project({"handouts/clinic.yaml": LANGUAGES + PRACTITIONERS})
    files = spanish(root)
    files["handouts/clinic.es.yaml"] += "practitioners:\n  dana: {role: fisioterapeuta}\n"
    make_project({"handouts/clinic.yaml": LANGUAGES + PRACTITIONERS, **files})
    out = tmp_path / "copia.pdf"
    result = invoke("personalise", "back-pain", "--patient", "Ana Pérez", "--lang", "es",
                    "--note", "Camine 10 minutos dos veces al día.", "--out", str(out))
    assert result.exit_code == 0, result.output
    reader, words = read(out)
    assert reader.root_object["/Lang"] == "es"
    assert "Preparado para Ana Pérez por Test Clinic, el " in words
    assert "Una nota de su terapeuta Camine 10 minutos dos veces al día." in words
    assert "Lo más importante que debe recordar" in words  # the interface, in Spanish
    assert "¿Qué es el dolor de espalda?" in words and "Beba agua." in words
    assert "The one thing to remember" not in words and "Prepared for" not in words
    assert "What is back pain?" not in words
    dated = brochure.personalise(project=root, condition="back-pain", patient=PATIENT,
                                 practitioner="dana", language="es", out=tmp_path / "b.pdf",
                                 today=DAY)
    words = read(dated.out)[1]
    assert "el 26 de noviembre de 2026." in words
    assert "Preparado para Zebedee Quillfeather por Dana Lee, fisioterapeuta, el " in words


def test_an_untranslated_copy_fails_as_a_build_does(make_project, tmp_path: Path) -> None:
    from tests.test_translations import LANGUAGES, spanish

    root = make_project({"handouts/clinic.yaml": LANGUAGES})
    make_project({"handouts/clinic.yaml": LANGUAGES, **spanish(root, skip=("topics/safety",))})
    build = invoke("build", "--lang", "es", "--out", str(tmp_path / "dist"))
    copy = invoke("personalise", "back-pain", "--patient", PATIENT, "--lang", "es",
                  "--out", str(tmp_path / "copy.pdf"))
    assert (copy.exit_code, copy.stderr) == (build.exit_code, build.stderr)
    assert copy.stderr == (
        "handouts/topics/safety.es.yaml:1:1: missing: the Spanish translation of "
        "handouts/topics/safety.yaml; translate it ('brochure translations export --lang es') "
        "or build with --allow-fallback to print it in the default language\n"
        "1 problem found in the content\n")
    assert not (tmp_path / "copy.pdf").exists()
    result = invoke("personalise", "back-pain", "--patient", PATIENT, "--lang", "es",
                    "--allow-fallback", "--out", str(tmp_path / "copy.pdf"))
    assert result.exit_code == 0, result.output
    reader, words = read(tmp_path / "copy.pdf")
    assert reader.root_object["/Lang"] == "es"
    assert "Is dry needling safe?" in words and "¿Qué es la punción seca?" in words


@pytest.mark.parametrize(("args", "message"), [
    (["--note", "x" * 1201],
     "error: the note has 1,201 characters; keep it to 1,200 or fewer (about a third of a "
     "page)"),
    (["--practitioner", "dama"],
     "error: unknown practitioner 'dama' (did you mean 'dana'?); use one of: dana"),
    (["--lang", "sp"],
     "error: --lang: unknown language code 'sp' (did you mean 'es'?); use a two-letter ISO "
     "639-1 code such as 'en', 'es' or 'fr' (optionally with a region: 'pt-BR')"),
    (["--topics", "intro"],
     "error: --topics must include the 'safety' topic (it holds when to call the clinic); "
     "add it to the list"),
    (["--note", "hi", "--note-file", "note.txt"],
     "error: give the note with --note or --note-file, not both"),
    (["--note-file", "missing.txt"],
     "error: --note-file missing.txt: cannot read it: No such file or directory"),
])
def test_usage_errors_are_one_line_without_the_patient(project: Path, args: list[str],
                                                       message: str) -> None:
    result = invoke("personalise", "back-pain", "--patient", PATIENT, *args,
                    "--out", "copy.pdf")
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    assert PATIENT not in result.output
    assert not Path("copy.pdf").exists()


def test_bad_patient_layout_and_out(project: Path) -> None:
    cases = [
        (["--patient", " "], "error: --patient is empty; give the patient's name as it "
         "should print"),
        (["--patient", "A" * 81], "error: --patient has 81 characters; keep it to 80 or "
         "fewer (the name as the patient likes it printed)"),
        (["--patient", "Ana\x1b[2J"], "error: --patient holds a control character, U+001B "
         "ESCAPE at position 4; delete it"),
        (["--patient", PATIENT, "--out", "handouts/copy.pdf"],
         "error: --out handouts/copy.pdf is inside the project's handouts/, where it "
         "would be mixed with the content; write it somewhere else"),
        (["--patient", PATIENT, "--out", "copy.txt"], "error: --out copy.txt must end in "
         ".pdf"),
    ]
    for args, message in cases:
        out = [] if "--out" in args else ["--out", "copy.pdf"]
        result = invoke("personalise", "back-pain", *args, *out)
        assert (result.exit_code, result.stderr) == (2, message + "\n"), args
    result = invoke("personalise", "back-pain", "--patient", PATIENT, "--layout", "trifold",
                    "--out", "copy.pdf")
    assert result.exit_code == 2
    assert "'trifold' is not one of 'handout', 'large-print'" in result.stderr
    with pytest.raises(UsageError, match=r"^--layout poster: a personal copy is a handout or "
                       r"a large-print handout; use one of: handout, large-print$"):
        brochure.personalise(project=project, condition="back-pain", patient=PATIENT,
                             layout="poster", out=project.parent / "x.pdf")
    assert not any(project.rglob("*.pdf"))


@pytest.mark.parametrize(("people", "message"), [
    ("  - {id: dana, name: Dana Lee, role: physiotherapist, email: dana-at-clinic}\n",
     "handouts/clinic.yaml:15:62: practitioners[0].email: 'dana-at-clinic' is not an "
     "e-mail address; write it like name@example.com"),
    ("  - {id: dana, name: Dana Lee, role: physiotherapist}\n"
     "  - {id: dana, name: Dan Lee, role: physiotherapist}\n",
     "handouts/clinic.yaml:1:1: practitioners[1]: practitioner id 'dana' is used twice"),
])
def test_practitioners_are_validated(make_project, people: str, message: str) -> None:
    make_project({"handouts/clinic.yaml": CLINIC + "practitioners:\n" + people})
    result = invoke("list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message, "1 problem found in the content"]


def test_ctrl_c_while_writing_leaves_no_file(project: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    folder = tmp_path / "outbox"
    folder.mkdir()
    with pytest.raises(KeyboardInterrupt):
        brochure.personalise(project=project, condition="back-pain", patient=PATIENT,
                             out=folder / "copy.pdf")
    assert list(folder.iterdir()) == []


def test_content_errors_still_collected(make_project, tmp_path: Path) -> None:
    make_project({"handouts/clinic.yaml": CLINIC + "practitioners: [{id: x, name: X}]\n"})
    with pytest.raises(ContentError):
        brochure.personalise(project=".", condition="back-pain", patient=PATIENT,
                             out=tmp_path / "c.pdf")


def test_note_from_a_file(project: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Ice for *ten* minutes.\r\n\r\n<script>alert(1)</script>\r\n", "utf-8")
    out = tmp_path / "copy.pdf"
    brochure.personalise(project=project, condition="back-pain", patient=PATIENT,
                         practitioner="dana", note_file=note, out=out, today=DAY)
    _, words = read(out)
    assert "A note from Dana Lee Ice for ten minutes. <script>alert(1)</script>" in words


# --- the name and the note: from where, and only what the fonts can print -------------


def test_the_name_comes_from_a_file_never_needing_the_command_line(project: Path,
                                                                   tmp_path: Path) -> None:
    name = tmp_path / "name.txt"
    cases = [
        ("", "error: --patient-file name.txt is empty; give the patient's name as it should "
         "print"),
        ("A" * 81, "error: --patient-file name.txt has 81 characters; keep it to 80 or fewer "
         "(the name as the patient likes it printed)"),
        ("Ana\u200bP\u00e9rez", "error: --patient-file name.txt holds an invisible character, "
         "U+200B ZERO WIDTH SPACE at position 4, which can hide or reorder text; delete it"),
    ]
    for text, message in cases:
        name.write_text(text, "utf-8")
        result = invoke("personalise", "back-pain", "--patient-file", str(name), "--out",
                        "copy.pdf")
        assert (result.exit_code, result.stderr) == (2, message + "\n"), text
    assert invoke("personalise", "back-pain", "--patient", PATIENT, "--patient-file",
                  str(name), "--out", "copy.pdf").stderr == (
        "error: give the patient's name with --patient or --patient-file, not both\n")
    # Without a terminal to ask in (a script, a pipe), a missing name says where to give it.
    result = invoke("personalise", "back-pain", "--out", "copy.pdf")
    assert (result.exit_code, result.stderr) == (2, (
        "error: the patient's name is missing: run the command in a terminal to be asked "
        "for it, or give --patient-file FILE (- reads standard input); --patient NAME works "
        "too, but other users of this computer can see it\n"))
    with pytest.raises(UsageError, match=r"^the patient's name is missing"):
        brochure.personalise(project=project, condition="back-pain", out=tmp_path / "x.pdf")
    assert not Path("copy.pdf").exists() and not (tmp_path / "x.pdf").exists()
    name.write_text(f"  {PATIENT}\n", "utf-8")
    brochure.personalise(project=project, condition="back-pain", patient_file=name,
                         out=tmp_path / "copy.pdf", today=DAY)
    assert f"Prepared for {PATIENT} by Test Clinic" in read(tmp_path / "copy.pdf")[1]


BOXES = ("so they would print as empty boxes; write them another way (the bundled font has "
         "Latin letters), or add a font that has them to assets/ with @font-face")


def test_characters_no_font_has_are_refused_without_repeating_them(project: Path) -> None:
    cases = [
        (["--patient", "\u738b\u5c0f\u660e"],
         f"error: the patient's name has 3 characters that no font of the brochure has (the "
         f"first at character 1), {BOXES}"),
        (["--patient", "Zo\u00eb \U0001f600"],
         "error: the patient's name has 1 character that no font of the brochure has (at "
         "character 5), so it would print as an empty box; write it another way (the bundled "
         "font has Latin letters), or add a font that has it to assets/ with @font-face"),
        (["--patient", PATIENT, "--note", "Walk daily.\n\n- Stretch \u0394\u03b9\u03ac"],
         f"error: the note has 2 characters that no font of the brochure has (the first at "
         f"line 3, column 12), {BOXES}"),  # the font has a Delta (U+0394), not the others
    ]
    for args, message in cases:
        result = invoke("personalise", "back-pain", *args, "--out", "copy.pdf")
        # One line, exit 1, and neither the name nor any of its characters on the screen.
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message + "\n")
        assert not Path("copy.pdf").exists()
    # What the shaper draws from a letter and its marks prints: nothing is refused.
    assert invoke("personalise", "back-pain", "--patient", "Nguy\u1ec5n V\u0103n",
                  "--note", "Thin\u2009space.", "--out", "copy.pdf").exit_code == 0


def _font_with(chars: str) -> bytes:
    """Return the packaged font with ``chars`` drawn as its 'o' (a font that has them)."""
    import io

    from fontTools.ttLib import TTFont

    from brochure.fonts import font_files

    font = TTFont(font_files()[0][0])
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap.update({ord(char): table.cmap[ord("o")] for char in chars})
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def test_a_project_font_that_has_the_characters_prints_them(make_project) -> None:
    from brochure.content.assets import package_styles_dir

    greek = "\u03a3\u03bf\u03c6\u03af\u03b1"
    handout = (package_styles_dir() / "handout.css").read_text("utf-8")
    root = make_project({"handouts/clinic.yaml": CLINIC + PRACTITIONERS,
                         "assets/fonts/greek.ttf": _font_with(greek)})
    # In assets/ but used by no stylesheet: WeasyPrint draws boxes, and the copy is refused
    # in the same words, its warning (which quotes the name) not shown.
    result = invoke("personalise", "back-pain", "--patient", greek, "--out", "copy.pdf")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", (
        f"error: the patient's name has 5 characters that no font of the brochure has (the "
        f"first at character 1), {BOXES}\n"))
    (root / "styles").mkdir()
    (root / "styles/handout.css").write_text(handout + (
        '\n@font-face { font-family: "Greek"; src: url(../assets/fonts/greek.ttf); }\n'
        '.personal-for strong { font-family: "Atkinson Hyperlegible", "Greek"; }\n'), "utf-8")
    result = invoke("personalise", "back-pain", "--patient", greek, "--out", "copy.pdf")
    assert (result.exit_code, result.stderr) == (0, "")
