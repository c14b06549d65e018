"""The library calls ``brochure.personalise(...)`` and ``brochure.send(...)``.

A copy for one patient is composed, rendered and encrypted in memory; the only file
written is ``out`` (the PDF, or with ``send(dry_run=True)`` the e-mail as .eml). The
patient's name is never in a file name the tool picks, a manifest, a progress line or a
log. Nothing about the patient outlives the call: the name and note can come from files
(or standard input) instead of the command line, the process and its renderer write no
core dump, and every temporary file (WeasyPrint's font copies among them) lives in a
private folder removed on every way out: success, error, Ctrl-C, SIGTERM, a renderer
that died.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from brochure.catalogue.batch import Limits
from brochure.errors import UsageError, display_path
from brochure.render.output import atomic_write
from brochure.render.service import ahead

if TYPE_CHECKING:
    from brochure.content.project import Project
    from brochure.personal.copy import Copy

# The content and composing code is imported inside the calls, after the renderer process
# has started (render/service.py): a copy is one brochure, made while the practitioner
# waits, within a build's default limits.
LIMITS = Limits()

CONTENT_FOLDERS = ("handouts", "styles", "templates", "assets")


@dataclass(frozen=True)
class PersonalCopy:
    """What ``personalise`` wrote."""

    out: Path
    pages: int
    bytes: int
    encrypted: bool
    warnings: list[str]


@dataclass(frozen=True)
class Sent:
    """What ``send`` did: sent the message, or (dry run) wrote it to ``out``."""

    attachment: str  # the PDF's file name in the message
    bytes: int  # the size of the whole message
    encrypted: bool
    server: str | None  # host:port it was sent through; None for a dry run
    out: Path | None  # the .eml written by a dry run
    warnings: list[str]


def _root(project: Path | str) -> Path:
    root = Path(project)
    if not root.is_dir():
        raise UsageError(f"project folder '{root}' does not exist")
    return root


def _check_target(root: Path, out: Path, suffix: str) -> None:
    """Refuse an output that would land among the content or has the wrong extension."""
    if out.suffix.lower() != suffix:
        raise UsageError(f"--out {display_path(out)} must end in {suffix}")
    resolved = out.resolve()
    for name in CONTENT_FOLDERS:
        folder = (root / name).resolve()
        if resolved.is_relative_to(folder):
            raise UsageError(f"--out {display_path(out)} is inside the project's {name}/, "
                             "where a patient's copy could be shared with the content; "
                             "write it somewhere else")
    if out.is_dir():
        raise UsageError(f"--out {display_path(out)} is a folder; give a file name")


class CopyOptions(TypedDict, total=False):
    """The options of a personal copy that ``personalise`` and ``send`` both take.

    practitioner: who prepared it (an id in clinic.yaml); note or note_file: the boxed
    note; topics: instead of the condition's own; layout: handout (default) or
    large-print; paper: letter or a4 (default: clinic.yaml's); language and
    allow_fallback: as for a build; location: whose address prints; password: encrypt
    with AES-256; today: the date on the cover (default: today).
    """

    practitioner: str | None
    note: str | None
    note_file: Path | str | None
    topics: Sequence[str] | None
    layout: str
    paper: str | None
    language: str | None
    allow_fallback: bool
    location: str | None
    password: str | None
    today: dt.date | None


@contextmanager
def _private() -> Iterator[None]:
    """Run the block with no core dumps and its temporary files in a private folder.

    The folder is removed on every way out (the renderer is stopped before), and a
    folder left by a process that was killed is removed by the next run.
    """
    from brochure.catalogue.session import private_temp
    from brochure.render.private import no_core_dumps

    no_core_dumps()
    previous = tempfile.tempdir
    with private_temp() as folder:
        tempfile.tempdir = str(folder)
        try:
            yield
        finally:
            tempfile.tempdir = previous


def _make(root: Path, condition: str, patient: str | None, patient_file: Path | str | None,
          options: CopyOptions) -> tuple[Project, Copy, bytes, str, str]:
    """Read the name and the project and make the copy, with a renderer started meanwhile.

    Return the project, the copy, its final bytes, its language and the patient's name.
    """
    with ahead(memory_mb=LIMITS.memory_mb, seconds=LIMITS.seconds, private=True):
        from brochure.content.project import load_project
        from brochure.personal.cover import read_patient

        name = read_patient(patient, patient_file, options.get("note_file"))
        proj = load_project(root)
        return (proj, *_copy(proj, condition=condition, patient=name, **options), name)


def _copy(proj: Project, *, condition: str, patient: str, practitioner: str | None = None,
          note: str | None = None, note_file: Path | str | None = None,
          topics: Sequence[str] | None = None, layout: str = "handout",
          paper: str | None = None, language: str | None = None, allow_fallback: bool = False,
          location: str | None = None, password: str | None = None,
          today: dt.date | None = None) -> tuple[Copy, bytes, str]:
    """Check every option, then make the copy; return it, its final bytes and its language."""
    from brochure.content.translate import localized_clinic
    from brochure.personal.copy import check_language, make_copy
    from brochure.personal.cover import check_fonts, find_practitioner, prepare, read_note
    from brochure.render.glyphs import covered, lacking

    lang = check_language(proj, language)
    if paper is not None and paper not in ("letter", "a4"):
        raise UsageError(f"--paper {paper}: use letter or a4")
    if password is not None and not password:
        raise UsageError("the password is empty; choose one to give the patient")
    # The practitioner's role in the copy's language, where clinic.<lang>.yaml gives it.
    person = find_practitioner(localized_clinic(proj, lang), practitioner)
    personal = prepare(proj.clinic, patient=patient, practitioner=person,
                       note=read_note(note, note_file), today=today or dt.date.today(),
                       language=lang)
    check_fonts(personal, lacking(covered(proj.root)))  # before anything renders
    made = make_copy(proj, condition=condition, personal=personal, layout=layout,
                     paper=paper or proj.clinic.defaults.paper, topics=topics,
                     location=location, language=lang, allow_fallback=allow_fallback)
    pdf = made.pdf
    if password is not None:
        from brochure.personal.encrypt import encrypt

        pdf = encrypt(pdf, password)
    return made, pdf, lang


def personalise(
    *,
    project: Path | str = ".",
    condition: str,
    patient: str | None = None,
    patient_file: Path | str | None = None,
    out: Path | str,
    **options: Unpack[CopyOptions],
) -> PersonalCopy:
    """Make a copy of one condition's handout for one patient and write it to ``out``.

    The cover says who it is for (``patient``, or read from ``patient_file``; ``-`` is
    standard input), who prepared it and when; ``note`` (or ``note_file``) prints as a
    boxed section; ``topics`` replaces the condition's own list. ``language`` makes the
    copy from that language's translation files (refused, naming the missing ones,
    unless ``allow_fallback``, as a build does). With ``password`` the PDF is encrypted
    with AES-256. Nothing else is written, and this process writes no core dump from
    now on.
    """
    root = _root(project)
    target = Path(out)
    _check_target(root, target, ".pdf")
    with _private():
        _, made, pdf, _, _ = _make(root, condition, patient, patient_file, options)
        atomic_write(target, pdf, private=True)
    return PersonalCopy(out=target, pages=made.pages, bytes=len(pdf),
                        encrypted=options.get("password") is not None, warnings=made.warnings)


def send(
    *,
    project: Path | str = ".",
    condition: str,
    patient: str | None = None,
    patient_file: Path | str | None = None,
    to: str,
    smtp_config: Path | str | None = None,
    dry_run: bool = False,
    out: Path | str | None = None,
    **options: Unpack[CopyOptions],
) -> Sent:
    """Make a personal copy and e-mail it through the clinic's own mail server.

    The settings come from ``smtp_config``, $BROCHURE_SMTP_CONFIG or
    ~/.config/brochure/smtp.toml. With ``dry_run`` the message is written to ``out``
    (an .eml file) instead, and no connection is made. The message is sent once; any
    failure raises MailError with one line, and nothing is retried. The patient and the
    copy's options are as for ``personalise``.
    """
    with _private():
        return _send(project=project, condition=condition, patient=patient,
                     patient_file=patient_file, to=to, smtp_config=smtp_config,
                     dry_run=dry_run, out=out, **options)


def _send(*, project: Path | str, condition: str, patient: str | None,
          patient_file: Path | str | None, to: str, smtp_config: Path | str | None,
          dry_run: bool, out: Path | str | None, **options: Unpack[CopyOptions]) -> Sent:
    from brochure.personal import mail, smtpconf

    root = _root(project)
    address = mail.recipient(to)
    target: Path | None = None
    if dry_run:
        if out is None:
            raise UsageError("--dry-run writes the message to a file: give it with --out "
                             "FILE.eml")
        target = Path(out)
        _check_target(root, target, ".eml")
    elif out is not None:
        raise UsageError("--out is for --dry-run; a sent message is not saved")
    settings = secret = None
    path = smtpconf.config_path(smtp_config)
    if not dry_run or path.is_file():  # a dry run takes the From address from it if there
        settings = smtpconf.load_settings(path, project=root)
    if not dry_run and settings is not None:
        secret = smtpconf.password(settings)  # before the copy is made: fail fast
    proj, made, pdf, lang, patient = _make(root, condition, patient, patient_file, options)
    from brochure.personal.cover import find_practitioner

    clinic = proj.clinic
    named = clinic.mail.show_patient_name
    item = proj.select([condition])[0]
    attachment = (f"{item.id}-{mail.slug(patient)}.pdf" if named else f"{item.id}.pdf")
    person = find_practitioner(clinic, options.get("practitioner"))
    encrypted = options.get("password") is not None
    letter = mail.write_letter(root, language=lang, values={
        "clinic": clinic, "patient": " ".join(patient.split()) if named else "",
        "by": person.name if person is not None else clinic.name,
        "title": made.title, "attachment": attachment, "encrypted": encrypted,
        "phone": clinic.location(options.get("location")).phone or clinic.phone,
    })
    sender = settings.sender if settings is not None else (clinic.email or "")
    if not sender:
        raise UsageError("--dry-run needs a From address: give the mail server settings "
                         "(--smtp-config) or add contact.email to clinic.yaml")
    reply_to = (person.email if person is not None and person.email else clinic.email)
    msg = mail.build_message(clinic=clinic, sender=sender, to=address, reply_to=reply_to,
                             letter=letter, attachment=pdf, filename=attachment)
    data = msg.as_bytes()
    if target is not None:
        atomic_write(target, data, private=True)
        return Sent(attachment=attachment, bytes=len(data), encrypted=encrypted,
                    server=None, out=target, warnings=made.warnings)
    if settings is None:  # only a dry run goes without settings
        raise UsageError("no mail server settings")
    mail.deliver(msg, settings, secret)
    return Sent(attachment=attachment, bytes=len(data), encrypted=encrypted,
                server=settings.server, out=None, warnings=made.warnings)
