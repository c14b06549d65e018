"""Hostile input, round three: text that hides something.

Every text field refuses control characters and invisible format characters (bidi
overrides and isolates, zero-width characters, BOMs), and one-line fields refuse every
line break, with the file, line, column and the character named. Command-line values that
print (init --name, personalise --patient and --note) follow the same rules. The
tests/fixtures/bad/text-* cases hold one example per kind; these run the variants.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import CLINIC, CONDITION, INTRO, SAFETY

from brochure import scaffold
from brochure.cli import main
from brochure.content.plaintext import char_name, text_problem

INVISIBLE = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
             "\u2069", "\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
             "\u061c", "\u00ad", "\U000e0041", "\u3164", "\u115f"]
BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"]


def check(args: list[str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, args or ["check", "--content-only"],
                                prog_name="brochure")
    return result.exit_code, result.stderr


def escaped(char: str) -> str:
    """Return ``char`` as a YAML double-quoted escape (the file then holds only ASCII)."""
    code = ord(char)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def named(char: str) -> str:
    """Return the name a message must give, read from Unicode's own table."""
    return f"U+{ord(char):04X} {unicodedata.name(char)}"


# Each field, the text to put the character into, and where the value starts.
FIELDS = [
    ("handouts/clinic.yaml", CLINIC, "name: Test Clinic", "name: \"Test{c}Clinic\"",
     "1:7: name", 5),
    ("handouts/clinic.yaml", CLINIC, "  phone: \"(555) 010-0000\"",
     "  phone: \"(555){c} 010-0000\"", "3:10: contact.phone", 6),
    ("handouts/topics/intro.yaml", INTRO, "heading: What happens at a visit?",
     "heading: \"What{c} happens at a visit?\"", "15:14: blocks[1].heading", 5),
    ("handouts/conditions/back-pain.yaml", CONDITION, "title: Dry needling for back pain",
     "title: \"Dry needling{c} for back pain\"", "1:8: title", 13),
    ("handouts/topics/safety.yaml", SAFETY, "[Bleeding, Rare, Mild]",
     "[Bleeding, \"Ra{c}re\", Mild]", "13:20: blocks[0].rows[1][1]", 3),
    ("handouts/clinic.yaml", CLINIC, "after_hours: When we are closed, call your doctor.",
     "after_hours: \"When we{c} are closed.\"", "13:14: after_hours", 8),
    ("handouts/topics/safety.yaml", SAFETY,
     "text: Call us if the soreness gets worse after two days.",
     "text: \"Call us{c} if the soreness gets worse.\"", "17:11: blocks[1].text", 8),
]


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize(("rel", "text", "old", "new", "where", "position"), FIELDS,
                         ids=[f[4].split(": ")[1] for f in FIELDS])
def test_every_field_refuses_invisible_characters(make_project, char: str, rel: str,
                                                  text: str, old: str, new: str, where: str,
                                                  position: int) -> None:
    assert old in text
    make_project({rel: text.replace(old, new.format(c=escaped(char)))})
    assert check() == (1, (
        f"{rel}:{where}: the text holds an invisible character, {named(char)} at position "
        f"{position}, which can hide or reorder text; delete it\n"
        "1 problem found in the content\n"))


@pytest.mark.parametrize("char", BREAKS)
@pytest.mark.parametrize(("rel", "text", "old", "new", "where", "position"), FIELDS[:5],
                         ids=[f[4].split(": ")[1] for f in FIELDS[:5]])
def test_one_line_fields_refuse_every_line_break(make_project, char: str, rel: str,
                                                 text: str, old: str, new: str, where: str,
                                                 position: int) -> None:
    make_project({rel: text.replace(old, new.format(c=escaped(char)))})
    code, err = check()
    if char == "\n" or unicodedata.category(char) != "Cc":
        name = named(char) if char not in "\n" else "U+000A LINE FEED"
        assert (code, err) == (1, (
            f"{rel}:{where}: the text holds a line break, {name} at position {position}; "
            "write it on one line\n1 problem found in the content\n"))
    else:  # CR, VT, FF and NEL are control characters, refused as the file is read
        assert code == 1
        assert err.startswith(f"{rel}:{where}: the text holds the control character "
                              f"U+{ord(char):04X} "), err
        assert err.endswith(f" at position {position}, which does not print; delete it\n"
                            "1 problem found in the content\n"), err


def test_prose_keeps_its_newlines_and_refuses_other_breaks(make_project) -> None:
    make_project({"handouts/topics/safety.yaml": SAFETY.replace(
        "text: Call us if the soreness gets worse after two days.",
        'text: "Call us if the soreness gets worse.\\n\\nCall us after two days."')})
    assert check()[0] == 0
    make_project({"handouts/topics/safety.yaml": SAFETY.replace(
        "text: Call us if the soreness gets worse after two days.",
        'text: "Call us if the soreness\\u2028gets worse."')})
    assert check() == (1, (
        "handouts/topics/safety.yaml:17:11: blocks[1].text: the text holds a line break, "
        "U+2028 LINE SEPARATOR at position 24; break lines with a plain newline only\n"
        "1 problem found in the content\n"))


def test_a_translated_clinic_file_is_held_to_the_same_rules(make_project) -> None:
    make_project({"handouts/clinic.es.yaml":
                  'translation: {source: "0000000000000000"}\n'
                  'locations:\n  main: {name: "Cl\\u00ednica\\u200d", hours: ["L-V\\n9-18"]}\n'})
    assert check() == (1, (
        "handouts/clinic.es.yaml:3:16: locations.main.name: the text holds an invisible "
        "character, U+200D ZERO WIDTH JOINER at position 8, which can hide or reorder text; "
        "delete it\n"
        "handouts/clinic.es.yaml:3:46: locations.main.hours[0]: the text holds a line break, "
        "U+000A LINE FEED at position 4; write it on one line\n"
        "2 problems found in the content\n"))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "hello@test-clinic.test\\r\\nBcc: x@example.test", None),
    ("email", "hello@test-clinic.test\\u2028Bcc: x@example.test",
     "the text holds a line break, U+2028 LINE SEPARATOR at position 23; write it on one "
     "line"),
    ("email", "hell\\u043e@test-clinic.test",
     "the address holds U+043E CYRILLIC SMALL LETTER O at position 5; an e-mail address is "
     "plain ASCII (an international domain in its xn-- form)"),
    ("email", "hello\\u00a0@test-clinic.test",
     "the address holds a space, U+00A0 NO-BREAK SPACE at position 6; an e-mail address "
     "has no spaces"),
    ("website", "https://www.test-clinic.test/\\u202egnp.exe",
     "the text holds an invisible character, U+202E RIGHT-TO-LEFT OVERRIDE at position 30, "
     "which can hide or reorder text; delete it"),
    ("website", "https://t\\u0435st-clinic.test",
     "the address holds U+0435 CYRILLIC SMALL LETTER IE at position 10; a web address is "
     "plain ASCII (an international domain in its xn-- form, other letters percent-encoded)"),
    ("booking_url", "https://book.test/r\\u00e9server",
     "the address holds U+00E9 LATIN SMALL LETTER E WITH ACUTE at position 20; a web address "
     "is plain ASCII (an international domain in its xn-- form, other letters "
     "percent-encoded)"),
    ("booking_url", "javascript:alert(1)",
     "'javascript:alert(1)' is not a web address; write one starting with https://"),
])
def test_addresses_are_plain_ascii_on_one_line(make_project, field: str, value: str,
                                               message: str | None) -> None:
    old = "  website: www.test-clinic.test\n"
    line = f'  {field}: "{value}"\n'
    make_project({"handouts/clinic.yaml": CLINIC.replace(
        old, line if field == "website" else old + line)})
    code, err = check()
    column = 12 if field == "website" else len(field) + 5
    where = f"handouts/clinic.yaml:{4 if field == 'website' else 5}:{column}: contact.{field}: "
    assert code == 1
    if message is None:  # a CR is refused as the file is read
        assert err.startswith(where + "the text holds the control character U+000D "
                              "CARRIAGE RETURN at position 23"), err
    else:
        assert err == f"{where}{message}\n1 problem found in the content\n"


def test_a_header_injection_in_the_clinic_email_stops_send_before_anything(
        make_project) -> None:
    make_project({"handouts/clinic.yaml": CLINIC.replace(
        "  website: www.test-clinic.test",
        '  website: www.test-clinic.test\n  email: "hello@test-clinic.test\\nBcc: all@x.test"')})
    for command in (["build"], ["send", "back-pain", "--patient", "Ana", "--to", "a@b.test",
                                "--dry-run", "--out", "m.eml"]):
        assert check(command) == (1, (
            "handouts/clinic.yaml:5:10: contact.email: the text holds a line break, U+000A "
            "LINE FEED at position 23; write it on one line\n1 problem found in the content\n"))
    assert not Path("m.eml").exists()
    assert not Path("dist").exists()


def test_the_rules_are_one_function_for_every_field() -> None:
    assert text_problem("Tab\tfree") == ("holds a control character, U+0009 CHARACTER "
                                         "TABULATION at position 4; delete it")
    assert text_problem("two\nlines", newlines=True) is None
    assert text_problem("caf\u00e9 \u00a0\u202fna\u00efve \u0436 \u91dd \U0001f600") is None
    assert char_name("\x1b") == "U+001B ESCAPE"
    assert char_name("\x01") == "U+0001 a control character"
    assert char_name("\ue000") == "U+E000 a private-use character"


# --- command-line values that print -------------------------------------------------------


@pytest.mark.parametrize(("name", "message"), [
    ("A\x1bB", "--name holds a control character, U+001B ESCAPE at position 2; delete it"),
    ("A\u2028B", "--name holds a line break, U+2028 LINE SEPARATOR at position 2; write it on "
     "one line"),
    ("A\nB", "--name holds a line break, U+000A LINE FEED at position 2; write it on one line"),
    ("Riverside \u202eoisyhP", "--name holds an invisible character, U+202E RIGHT-TO-LEFT "
     "OVERRIDE at position 11, which can hide or reorder text; delete it"),
    ("\u200b", "--name holds an invisible character, U+200B ZERO WIDTH SPACE at position 1, "
     "which can hide or reorder text; delete it"),
    ("  ", "--name is empty; give the clinic's name, or leave --name out"),
])
def test_init_checks_the_name_before_writing_anything(tmp_path: Path, monkeypatch,
                                                      name: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "new/clinic", "--name", name])
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert list(tmp_path.iterdir()) == []
    again = CliRunner().invoke(main, ["init", "new/clinic", "--name", "Riverside Physio"])
    assert again.exit_code == 0, again.output
    assert 'name: "Riverside Physio"' in (tmp_path / "new/clinic/handouts/clinic.yaml").read_text()


@pytest.mark.parametrize("existing", [False, True])
def test_init_that_fails_midway_leaves_nothing_and_runs_again(tmp_path: Path, monkeypatch,
                                                              existing: bool) -> None:
    monkeypatch.chdir(tmp_path)
    if existing:
        (tmp_path / "clinic").mkdir()  # an empty folder is filled, never replaced
    real = scaffold._translated_placeholders

    def full_disk(clinic_file: Path, name: str | None) -> None:
        raise OSError(28, "No space left on device", str(clinic_file))

    monkeypatch.setattr(scaffold, "_translated_placeholders", full_disk)
    result = CliRunner().invoke(main, ["init", "clinic", "--name", "Harbour Physio"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.endswith("No space left on device\n")
    assert [p.name for p in tmp_path.iterdir()] == (["clinic"] if existing else [])
    if existing:
        assert list((tmp_path / "clinic").iterdir()) == []
    monkeypatch.setattr(scaffold, "_translated_placeholders", real)
    again = CliRunner().invoke(main, ["init", "clinic", "--name", "Harbour Physio"])
    assert again.exit_code == 0, again.output
    assert [p.name for p in tmp_path.iterdir()] == ["clinic"]
    assert again.stdout.startswith("created clinic (")
    assert (tmp_path / "clinic").stat().st_mode & 0o777 == 0o777 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize(("args", "message"), [
    (["--patient", "Ana\u202eP\u00e9rez"], "--patient holds an invisible character, U+202E "
     "RIGHT-TO-LEFT OVERRIDE at position 4, which can hide or reorder text; delete it"),
    (["--patient", "Ana\u2028P\u00e9rez"], "--patient holds a line break, U+2028 LINE "
     "SEPARATOR at position 4; write it on one line"),
    (["--patient", "Ana P\u00e9rez", "--note", "Walk\u200b daily."], "the note holds an "
     "invisible character, U+200B ZERO WIDTH SPACE at position 5, which can hide or reorder "
     "text; delete it"),
    (["--patient", "Ana P\u00e9rez", "--note", "Walk\r\rdaily."], "the note holds a line "
     "break, U+000D CARRIAGE RETURN at position 5; break lines with a plain newline only"),
])
def test_personal_copy_values_follow_the_same_rules(make_project, args: list[str],
                                                    message: str) -> None:
    make_project()
    result = CliRunner().invoke(main, ["personalise", "back-pain", *args, "--out", "c.pdf"])
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert "P\u00e9rez" not in result.output  # a refusal never repeats the patient's name
    assert not Path("c.pdf").exists()
