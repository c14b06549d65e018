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

from brochure.content.outfile import atomic_write, target_folder
from brochure.engine import Engine, Limits, worth_starting_ahead
from brochure.errors import MailError, UsageError, display_path

if TYPE_CHECKING:
    from brochure.content.models import Practitioner
    from brochure.content.project import Project
    from brochure.personal.copy import Copy
    from brochure.personal.smtpconf import SmtpSettings

# The content and composing code is imported inside the calls, after the worker that
# renders the copy has started (brochure.engine): a copy is one brochure, made while the
# practitioner waits, within a build's default limits.
LIMITS = Limits()

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


class _Origins:
    """Names where a value of clinic.yaml came from: 'handouts/clinic.yaml:3:8: name'."""

    def __init__(self, proj: Project, settings: SmtpSettings | None,
                 person: Practitioner | None, location: str | None) -> None:
        self.source = proj.clinic_source
        clinic = proj.clinic
        self.person_index = next((i for i, p in enumerate(clinic.practitioners)
                                  if person is not None and p.id == person.id), 0)
        chosen = clinic.location(location)
        self.location_index = next((i for i, loc in enumerate(clinic.locations)
                                    if loc is chosen), 0)

    def key(self, *loc: str | int) -> str:
        """Return 'file:line:column: key.path' for ``loc`` in clinic.yaml."""
        from brochure.content.load import format_loc

        line, column = self.source.where(loc)
        return f"{self.source.shown}:{line}:{column}: {format_loc(loc)}"

    def person(self, name: str) -> str:
        """Return where the practitioner's ``name`` key is."""
        return self.key("practitioners", self.person_index, name)

    def location(self, name: str) -> str:
        """Return where the chosen location's ``name`` key is."""
        return self.key("locations", self.location_index, name)


def _root(project: Path | str) -> Path:
    root = Path(project)
    if not root.is_dir():
        raise UsageError(f"project folder '{root}' does not exist")
    return root


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
    # A private engine: its worker writes no core dump, and the page reaches it through
    # a pipe, never a file.
    with Engine(workers=1 if worth_starting_ahead() else 0, limits=LIMITS,
                private=True) as engine:
        engine.start()
        from brochure.content.project import load_project
        from brochure.personal.cover import read_patient

        name = read_patient(patient, patient_file, options.get("note_file"))
        proj = load_project(root)
        return (proj, *_copy(proj, engine, condition=condition, patient=name, **options),
                name)


def _copy(proj: Project, engine: Engine, *, condition: str, patient: str,
          practitioner: str | None = None,
          note: str | None = None, note_file: Path | str | None = None,
          topics: Sequence[str] | None = None, layout: str = "handout",
          paper: str | None = None, language: str | None = None, allow_fallback: bool = False,
          location: str | None = None, password: str | None = None,
          today: dt.date | None = None) -> tuple[Copy, bytes, str]:
    """Check every option, then make the copy; return it, its final bytes and its language."""
    from brochure.content.glyphs import covered, lacking
    from brochure.content.translate import localized_clinic
    from brochure.personal.copy import check_language, make_copy
    from brochure.personal.cover import check_fonts, find_practitioner, prepare, read_note

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
                     location=location, language=lang, allow_fallback=allow_fallback,
                     render=engine.render)
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
    within = target_folder(target, project=root, kind="pdf", option="--out")
    with _private():
        _, made, pdf, _, _ = _make(root, condition, patient, patient_file, options)
        atomic_write(target, pdf, kind="pdf", within=within, private=True)
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
    from brochure.personal import delivery, mail, smtpconf

    root = _root(project)
    address = mail.recipient(to)
    target = within = None
    if dry_run:
        if out is None:
            raise UsageError("--dry-run writes the message to a file: give it with --out "
                             "FILE.eml")
        target = Path(out)
        within = target_folder(target, project=root, kind="eml", option="--out")
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
    sender = settings.sender if settings is not None else (clinic.email or "")
    if not sender:
        raise UsageError("--dry-run needs a From address: give the mail server settings "
                         "(--smtp-config) or add contact.email to clinic.yaml")
    where = _Origins(proj, settings, person, options.get("location"))
    location = clinic.location(options.get("location"))
    # Any of these may land in the subject, a header: each must be one line, and a
    # refusal names the file and key it came from, not the template.
    values = {
        "patient": (" ".join(patient.split()) if named else "", "--patient"),
        "by": ((person.name, where.person("name")) if person is not None
               else (clinic.name, where.key("name"))),
        "title": (made.title, f"{item.source.shown}: title"),
        "attachment": (attachment, "the attachment's name"),
        "phone": ((location.phone, where.location("phone")) if location.phone
                  else (clinic.phone, where.key("contact", "phone"))),
    }
    mail.one_line(clinic.name, where.key("name"))
    for value, origin in values.values():
        mail.one_line(value, origin, UsageError if origin.startswith("--") else MailError)
    letter = mail.write_letter(root, language=lang, values={
        "clinic": clinic, "encrypted": encrypted,
        **{name: value for name, (value, _) in values.items()}})
    reply_to: str | None
    if person is not None and person.email:
        reply_to, reply_from = person.email, where.person("email")
    else:
        reply_to, reply_from = clinic.email, where.key("contact", "email")
    msg = mail.build_message(
        clinic_name=clinic.name, sender=sender, to=address, reply_to=reply_to, letter=letter,
        attachment=pdf, filename=attachment, origins=mail.Origins(
            sender=(f"{display_path(settings.path)}: from" if settings is not None
                    else where.key("contact", "email")),
            reply_to=reply_from, clinic_name=where.key("name")))
    data = msg.as_bytes()
    if target is not None and within is not None:
        atomic_write(target, data, kind="eml", within=within, private=True)
        return Sent(attachment=attachment, bytes=len(data), encrypted=encrypted,
                    server=None, out=target, warnings=made.warnings)
    if settings is None:  # only a dry run goes without settings
        raise UsageError("no mail server settings")
    delivery.deliver(msg, settings, secret)
    return Sent(attachment=attachment, bytes=len(data), encrypted=encrypted,
                server=settings.server, out=None, warnings=made.warnings)
