"""What a personal copy adds to a handout: who it is for, who made it, when, and a note."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from brochure.compose.brochure import Personal
from brochure.content.models import Clinic, Practitioner
from brochure.content.plaintext import text_problem
from brochure.errors import UsageError, display_path, suggest

NAME_LIMIT = 80  # characters in the patient's name
NOTE_LIMIT = 1200  # characters in the note: about a third of a handout page


def patient_name(value: str) -> str:
    """Return the patient's name, checked; the errors never repeat the name itself."""
    if (problem := text_problem(value.strip())) is not None:
        raise UsageError(f"--patient {problem}")
    name = " ".join(value.split())
    if not name:
        raise UsageError("--patient is empty; give the patient's name as it should print")
    if len(name) > NAME_LIMIT:
        raise UsageError(f"--patient has {len(name)} characters; keep it to {NAME_LIMIT} or "
                         "fewer (the name as the patient likes it printed)")
    return name


def read_note(note: str | None, note_file: Path | str | None) -> str | None:
    """Return the note from the text or the file given (not both), checked for length.

    The note is content text: paragraphs, lists, **bold** and *italic*, never HTML (raw
    tags print as the text they are).
    """
    if note is not None and note_file is not None:
        raise UsageError("give the note with --note or --note-file, not both")
    if note_file is not None:
        path = Path(note_file)
        try:
            note = path.read_text("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageError(f"--note-file {display_path(path)} is not UTF-8 text; save it "
                             "as UTF-8") from None
        except OSError as exc:
            raise UsageError(f"--note-file {display_path(path)}: cannot read it: "
                             f"{exc.strerror}") from None
    if note is None:
        return None
    text = "\n".join(line.rstrip() for line in note.replace("\r\n", "\n").split("\n")).strip()
    if not text:
        return None
    if len(text) > NOTE_LIMIT:
        raise UsageError(f"the note has {len(text):,} characters; keep it to {NOTE_LIMIT:,} "
                         "or fewer (about a third of a page)")
    if (problem := text_problem(text, newlines=True)) is not None:
        raise UsageError(f"the note {problem}")
    return text


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
