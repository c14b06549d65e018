"""What a personal copy adds to a handout: who it is for, who made it, when, and a note."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from brochure.compose.brochure import Personal
from brochure.content.models import Clinic, Practitioner
from brochure.content.plaintext import text_problem
from brochure.errors import UnprintableText, UsageError, display_path, suggest
from brochure.safefile import STDIN, read_input

NAME_LIMIT = 80  # characters in the patient's name
NOTE_LIMIT = 1200  # characters in the note: about a third of a handout page
# Bytes read from a name or note file (or standard input): room for the characters in
# any script, with spaces and line breaks, and a bound on what is read.
NAME_FILE_LIMIT = 4 * 1024
NOTE_FILE_LIMIT = 16 * 1024


def patient_name(value: str, what: str = "--patient") -> str:
    """Return the patient's name, checked; the errors never repeat the name itself."""
    # A file may wrap the name over lines: plain spaces, tabs and line ends count as one
    # space; any other break or an invisible character is refused.
    if (problem := text_problem(re.sub(r"[ \t\r\n]+", " ", value).strip())) is not None:
        raise UsageError(f"{what} {problem}")
    name = unicodedata.normalize("NFC", " ".join(value.split()))
    if not name:
        raise UsageError(f"{what} is empty; give the patient's name as it should print")
    if len(name) > NAME_LIMIT:
        raise UsageError(f"{what} has {len(name)} characters; keep it to {NAME_LIMIT} or "
                         "fewer (the name as the patient likes it printed)")
    return name


def read_patient(patient: str | None, patient_file: Path | str | None,
                 note_file: Path | str | None = None) -> str:
    """Return the patient's name, given as text or read from a file (``-``: standard input).

    The name is never needed on the command line, where other users of the computer can
    see it (ps, /proc) and the shell keeps it in its history.
    """
    if patient is not None and patient_file is not None:
        raise UsageError("give the patient's name with --patient or --patient-file, not both")
    if patient_file is not None:
        if str(patient_file) == STDIN and note_file is not None and str(note_file) == STDIN:
            raise UsageError("--patient-file and --note-file cannot both read standard "
                             "input (-); give one of them a file")
        text = read_input(patient_file, what="--patient-file", limit=NAME_FILE_LIMIT,
                          too_big=f"a name is at most {NAME_LIMIT} characters")
        shown = "-" if str(patient_file) == STDIN else display_path(Path(patient_file))
        return patient_name(text, f"--patient-file {shown}")
    if patient is None:
        raise UsageError("the patient's name is missing: run the command in a terminal to "
                         "be asked for it, or give --patient-file FILE (- reads standard "
                         "input); --patient NAME works too, but other users of this "
                         "computer can see it")
    return patient_name(patient)


def read_note(note: str | None, note_file: Path | str | None) -> str | None:
    """Return the note from the text or the file given (not both), checked for length.

    The note is content text: paragraphs, lists, **bold** and *italic*, never HTML (raw
    tags print as the text they are). ``note_file`` may be ``-``: standard input.
    """
    if note is not None and note_file is not None:
        raise UsageError("give the note with --note or --note-file, not both")
    if note_file is not None:
        note = read_input(note_file, what="--note-file", limit=NOTE_FILE_LIMIT,
                          too_big=f"a note is at most {NOTE_LIMIT:,} characters")
    if note is None:
        return None
    text = "\n".join(line.rstrip() for line in note.replace("\r\n", "\n").split("\n")).strip()
    text = unicodedata.normalize("NFC", text)
    if not text:
        return None
    if len(text) > NOTE_LIMIT:
        raise UsageError(f"the note has {len(text):,} characters; keep it to {NOTE_LIMIT:,} "
                         "or fewer (about a third of a page)")
    if (problem := text_problem(text, newlines=True)) is not None:
        raise UsageError(f"the note {problem}")
    return text


def check_fonts(personal: Personal, lacks: Callable[[str], bool]) -> None:
    """Refuse a name or note holding characters no font of the brochure has (``lacks``).

    Such a character would print as an empty box, and WeasyPrint's warning would quote
    it. The message counts them and says where the first is; it repeats neither the text
    nor the characters (their code points would spell the name).
    """
    for what, text, lines in (("the patient's name", personal.patient, False),
                              ("the note", personal.note or "", True)):
        found = [i for i, char in enumerate(text) if not char.isspace() and lacks(char)]
        if not found:
            continue
        first, count = found[0], len(found)
        start = text.rfind("\n", 0, first) + 1
        where = (f"line {text.count(chr(10), 0, first) + 1}, column {first - start + 1}"
                 if lines else f"character {first + 1}")
        many = count != 1
        them, boxes = ("them", "empty boxes") if many else ("it", "an empty box")
        raise UnprintableText(
            f"{what} has {count} character{'s' if many else ''} that no font of the brochure "
            f"has ({'the first ' if many else ''}at {where}), so {'they' if many else 'it'} "
            f"would print as {boxes}; write {them} another way (the bundled font has Latin "
            f"letters), or add a font that has {them} to assets/ with @font-face")


def find_practitioner(clinic: Clinic, practitioner_id: str | None) -> Practitioner | None:
    """Return the practitioner with this id in clinic.yaml (None when no id is given)."""
    if practitioner_id is None:
        return None
    known = [p.id for p in clinic.practitioners if p.id is not None]
    for person in clinic.practitioners:
        if person.id == practitioner_id:
            return person
    if not known:
        raise UsageError(f"unknown practitioner '{practitioner_id}': clinic.yaml lists no "
                         "practitioner with an id; add 'id:' to each under 'practitioners:'")
    raise UsageError(f"unknown practitioner '{practitioner_id}'"
                     f"{suggest(practitioner_id, set(known))}; use one of: "
                     f"{', '.join(known)}")


def prepare(clinic: Clinic, *, patient: str, practitioner: Practitioner | None,
            note: str | None, today: dt.date, language: str = "en") -> Personal:
    """Return the personal part of a copy: 'Prepared for ... by ..., on ...' and the note.

    The date and the words the tool adds are in the copy's ``language``.
    """
    from brochure.compose.interface import interface

    ui = interface(language)
    if practitioner is not None:
        by, author = f"{practitioner.name}, {practitioner.role}", practitioner.name
    else:
        by, author = clinic.name, ui.gettext("your practitioner")
    return Personal(patient=patient_name(patient), by=by, author=author,
                    date=ui.day(today), note=note)
