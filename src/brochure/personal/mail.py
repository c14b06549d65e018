"""The e-mail that carries a personal copy: written from a template, sent once, or saved.

Every failure is one line, and nothing is retried: a retry after a dropped connection
could deliver the message twice.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path

import jinja2

from brochure.content.assets import template_dirs
from brochure.content.models import EMAIL, Clinic
from brochure.errors import MailError, TemplateError, UsageError, display_path
from brochure.personal.smtpconf import SmtpSettings

TEMPLATE = "message.txt.j2"  # message.<lang>.txt.j2 first, for a translated message


@dataclass(frozen=True)
class Letter:
    """The words of the e-mail: its subject and its plain-text body."""

    subject: str
    body: str


def recipient(address: str) -> str:
    """Return the recipient's address, checked: one plain address, no display name."""
    value = address.strip()
    if not EMAIL.match(value) or len(value) > 254:
        raise UsageError("--to is not one e-mail address; write it like name@example.com")
    return value


@cache
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    # Plain text, not HTML: nothing to escape, and a missing value is still an error.
    return jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
                              autoescape=False, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, trim_blocks=True,
                              lstrip_blocks=True)


def write_letter(root: Path, *, language: str, values: dict[str, object]) -> Letter:
    """Render the message template: the first line is 'Subject: ...', then a blank line."""
    env = _environment(tuple(template_dirs(root)))
    names = [f"message.{language}.txt.j2", TEMPLATE]
    try:
        template = env.select_template(names)
        text = template.render(**values)
    except jinja2.TemplatesNotFound:
        raise UsageError(f"template '{TEMPLATE}' not found") from None
    except jinja2.TemplateSyntaxError as exc:
        name = display_path(Path(exc.filename)) if exc.filename else exc.name
        raise TemplateError(f"{name}:{exc.lineno}: template syntax error: "
                            f"{(exc.message or 'invalid syntax').split('. ')[0]}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{template.name}: the template uses a value that does not exist "
                            f"({exc.message}); check its spelling") from None
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject:") or "\n" in head.strip():
        raise TemplateError(f"{template.name}: the first line must be 'Subject: ...', then "
                            "a blank line, then the message")
    return Letter(subject=head.removeprefix("Subject:").strip(), body=body.strip() + "\n")


def slug(text: str) -> str:
    """Return text as a plain ASCII file-name part: 'Ana Pérez' -> 'ana-perez'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "copy"


def build_message(*, clinic: Clinic, sender: str, to: str, reply_to: str | None,
                  letter: Letter, attachment: bytes, filename: str) -> EmailMessage:
    """Return the e-mail: plain text with the PDF attached."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if reply_to and EMAIL.match(reply_to):
        msg["Reply-To"] = Address(display_name=clinic.name, addr_spec=reply_to)
    msg["Subject"] = letter.subject
    msg["Date"] = formatdate(localtime=True)
    domain = sender.rsplit("<", 1)[-1].rstrip(">").rsplit("@", 1)[-1]
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(letter.body)
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename=filename)
    return msg


def _failure(exc: BaseException, settings: SmtpSettings, where: str, shown: str, to: str,
             msg: EmailMessage) -> str:
    """Say in one line why sending failed and what to check (without "nothing was sent")."""
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot connect to {where}: connection refused; check host and port in {shown}"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the mail server '{settings.host}'; check host in {shown}"
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer within {settings.timeout:g} s"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS with {where} failed: its certificate is not trusted "
                f"({exc.verify_message}); if the clinic uses its own certificate authority, "
                f"set ca_file in {shown}")
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {where} failed ({exc.reason or exc}); check security and port in {shown}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"{where} refused the login of '{settings.user}' "
                f"({_reply(exc.smtp_code, exc.smtp_error, to)}); check user in {shown} and the "
                "password")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where} does not accept a login; remove user from {shown} if it needs none"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"{where} refused the recipient ({_reply(code, text, to)}); check the address"
    if isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        reply = _reply(exc.smtp_code, exc.smtp_error, to)
        if exc.smtp_code == 552 or "size" in reply.lower():
            return (f"{where} refused the message as too large "
                    f"({len(msg.as_bytes()) // 1024:,} KB; {reply})")
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return (f"{where} refused the sender '{settings.sender}' ({reply}); check from "
                    f"in {shown}")
        return f"{where} refused the message ({reply})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection before it accepted the message"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} answered {_reply(exc.smtp_code, exc.smtp_error, to)}"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"cannot send through {where}: {reason}"


def _reply(code: int, text: bytes | str, to: str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    words = " ".join(words.split()).replace(to, "recipient")
    return f"{code} {words}".strip()


def deliver(msg: EmailMessage, settings: SmtpSettings, password: str | None) -> None:
    """Send the message once; raise MailError with one line when it was not accepted."""
    where = settings.server
    shown = display_path(settings.path)
    to = str(msg["To"])
    unsent = "nothing was sent"
    try:
        context = ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"{shown}: ca_file: cannot load the certificate ({exc}); "
                        f"{unsent}") from None
    client: smtplib.SMTP | None = None
    try:
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        client.ehlo()
        if settings.security == "starttls":
            if not client.has_extn("starttls"):
                raise MailError(f"{where} does not offer STARTTLS, so the message would travel "
                                f"unencrypted; use security = \"tls\" in {shown} if the server "
                                f"takes implicit TLS; {unsent}")
            client.starttls(context=context)
            client.ehlo()
        if settings.user is not None:
            client.login(settings.user, password or "")
        client.send_message(msg)
    except MailError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"{_failure(exc, settings, where, shown, to, msg)}; {unsent}") from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
