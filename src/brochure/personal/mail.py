"""The e-mail that carries a personal copy: its words from a template, and its headers.

The template renders in the sandbox every template renders in (compose/templating.py):
a clinic's or a starter pack's message.txt.j2 reaches no Python internals and no file
outside the template folders. Every header value is one line (personal/headers.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path

import jinja2

from brochure.compose.templating import TemplateRefused, reported, sandboxed
from brochure.content.assets import template_dirs
from brochure.errors import MailError, TemplateError, UsageError, display_path, printable
from brochure.personal.headers import one_line, plain_address, sender_parts

__all__ = ["Letter", "Origins", "build_message", "one_line", "recipient", "slug",
           "write_letter"]

TEMPLATE = "message.txt.j2"  # message.<lang>.txt.j2 first, for a translated message
VALUES = "clinic, patient, by, title, attachment, encrypted, phone"


@dataclass(frozen=True)
class Letter:
    """The words of the e-mail: its subject and its plain-text body."""

    subject: str
    body: str


def recipient(address: str) -> str:
    """Return the recipient's address, checked: one plain address, no display name."""
    value = address.strip()
    try:
        return plain_address(value, "--to", UsageError)
    except UsageError:
        raise UsageError("--to is not one e-mail address; write it like name@example.com"
                         ) from None


@cache
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    # Plain text, not HTML: nothing to escape, and a missing value is still an error.
    return sandboxed(dirs, autoescape=False)


def _select(env: jinja2.Environment, names: list[str]) -> jinja2.Template:
    """Return the first template of ``names`` that exists.

    Not Jinja's select_template: it takes a template that may not be read (a link out of
    the project) for a missing one and quietly falls back to the next name.
    """
    for name in names:
        try:
            return env.get_template(name)
        except TemplateRefused:
            raise
        except jinja2.TemplateNotFound as exc:
            if exc.name != name:  # an include inside it is missing, not the template
                raise
    raise UsageError(f"template '{TEMPLATE}' not found")


def write_letter(root: Path, *, language: str, values: dict[str, object]) -> Letter:
    """Render the message template: the first line is 'Subject: ...', then a blank line."""
    env = _environment(tuple(template_dirs(root)))
    names = [f"message.{language}.txt.j2", TEMPLATE]
    shown = TEMPLATE
    with reported(shown, VALUES):
        template = _select(env, names)
        shown = display_path(Path(template.filename)) if template.filename else shown
        text = template.render(**values)
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject:") or "\n" in head.strip():
        raise TemplateError(f"{shown}: the first line must be 'Subject: ...', then "
                            "a blank line, then the message")
    subject = head.removeprefix("Subject:").strip()
    one_line(subject, f"{shown}: the subject", TemplateError)
    return Letter(subject=subject, body=body.strip() + "\n")


def slug(text: str) -> str:
    """Return text as a plain ASCII file-name part: 'Ana Pérez' -> 'ana-perez'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "copy"


def _address(name: str, address: str) -> Address:
    # By its parts: Address(addr_spec=...) refuses a local part that is not ASCII, which
    # an address like zoë@example.com has (and a server offering SMTPUTF8 takes).
    user, _, domain = address.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


@dataclass(frozen=True)
class Origins:
    """Where each header value came from, as messages name it ('file:line: key')."""

    sender: str
    reply_to: str
    clinic_name: str


def build_message(*, clinic_name: str, sender: str, to: str, reply_to: str | None,
                  letter: Letter, attachment: bytes, filename: str,
                  origins: Origins) -> EmailMessage:
    """Return the e-mail: plain text with the PDF attached.

    Every header value is checked to be one line first, naming the file it came from; a
    value the e-mail library still refuses is one line too, never an internal error.
    """
    one_line(sender, origins.sender)
    parts = sender_parts(sender)
    if parts is None:
        raise MailError(f"{origins.sender}: '{printable(sender)}' is not an e-mail address; "
                        "write it like \"Clinic <clinic@example.com>\"")
    plain_address(to, "--to", UsageError)
    if reply_to:
        plain_address(reply_to, origins.reply_to)
        one_line(clinic_name, origins.clinic_name)
    one_line(letter.subject, "the message template's subject", TemplateError)
    one_line(filename, "the attachment's name")
    msg = EmailMessage()
    header = "From"
    try:
        msg["From"] = _address(parts[0], parts[1])
        header = "To"
        msg["To"] = _address("", to)
        if reply_to:
            header = "Reply-To"
            msg["Reply-To"] = _address(clinic_name, reply_to)
        header = "Subject"
        msg["Subject"] = letter.subject
        msg["Date"] = formatdate(localtime=True)
        header = "Message-ID"
        msg["Message-ID"] = make_msgid(domain=parts[1].rsplit("@", 1)[-1])
        msg["Auto-Submitted"] = "auto-generated"
        header = "body"
        msg.set_content(letter.body)
        header = "attachment"
        msg.add_attachment(attachment, maintype="application", subtype="pdf",
                           filename=filename)
        header = "message"
        msg.as_bytes()  # the library's own checks run when it writes the message out
    except (ValueError, TypeError, IndexError, MessageError) as exc:
        raise MailError(f"cannot write the e-mail's {header}: "
                        f"{printable(' '.join(str(exc).split()))[:160]}; check the value it "
                        "comes from; nothing was sent") from None
    return msg
