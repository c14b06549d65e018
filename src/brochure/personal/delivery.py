"""Sending the e-mail once through the clinic's server, within one deadline, and saying why not.

Every failure is one line, and nothing is retried: a retry after a dropped connection
could deliver the message twice. Once the whole message has gone out, a failure says it
may have been delivered, because the server may have kept it before the line dropped.

The settings' ``timeout`` bounds the whole exchange (connection, greeting, TLS, login and
message), not each read: a socket's timeout restarts with every byte, so a server that
drips its greeting a byte a second would otherwise hold the send for ever. smtplib has no
such bound, so a timer shuts the connection at the deadline (shutdown, not close: a read
blocked in another thread then returns at once).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
import time
from email.message import EmailMessage
from typing import Any

from brochure.errors import MailError, display_path
from brochure.personal.smtpconf import SmtpSettings

UNSENT = "nothing was sent"
MAYBE = "the message may have been delivered; check before sending it again"


class _Deadline:
    """Shuts every connection it watches when ``seconds`` have passed since it started."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        """Return the seconds left (a little more than none, for a socket timeout)."""
        return max(0.05, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` at the deadline; a copy of its descriptor survives TLS wrapping."""
        with self._lock:
            if self.expired:
                sock.close()
                raise TimeoutError("the deadline passed while connecting")
            self._watched.append(sock.dup())

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._watched:
                with contextlib.suppress(OSError):  # already closed: nothing to stop
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop the timer and let go of the copies."""
        self._timer.cancel()
        with self._lock:
            for sock in self._watched:
                sock.close()
            self._watched.clear()


class _Client(smtplib.SMTP):
    """smtplib's client, watched by a deadline, knowing how far the exchange got."""

    deadline: _Deadline
    _host: str  # smtplib's own: the name TLS checks the certificate against
    stage = "connect"  # connect, greeting, hello, starttls, login, send, data, quit
    greeted = False  # the server's greeting arrived
    message_out = False  # the message and its final "." went out

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(  # type: ignore[misc]  # not in typeshed
            host, port, min(timeout, self.deadline.remaining()))
        self.deadline.watch(sock)
        self.stage = "greeting"
        return sock

    def data(self, msg: Any) -> tuple[int, bytes]:
        """Send the message; from the 354 reply on, a drop may mean it was delivered."""
        self.stage = "data"
        return super().data(msg)

    def send(self, s: Any) -> None:
        """Send bytes; note when the message's last line, the lone '.', is out."""
        super().send(s)
        if self.stage == "data" and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.message_out = True


class _TLSClient(smtplib.SMTP_SSL, _Client):
    """Implicit TLS: the raw socket is watched before the handshake (MRO: SMTP_SSL first)."""


def deliver(msg: EmailMessage, settings: SmtpSettings, password: str | None) -> None:
    """Send the message once; raise MailError with one line when it was not accepted."""
    deadline = _Deadline(settings.timeout)
    client: _Client
    if settings.security == "tls":
        client = _TLSClient(timeout=settings.timeout, context=settings.context)
    else:
        client = _Client(timeout=settings.timeout)
    client.deadline = deadline
    # Made without a host so that connecting runs under the deadline; smtplib takes the
    # name TLS checks the certificate against from the constructor's host.
    client._host = settings.host
    try:
        _converse(client, msg, settings, password)
    except MailError:
        raise
    except (smtplib.SMTPException, OSError, UnicodeError, ValueError) as exc:
        raise MailError(_failure(exc, client, settings, msg)) from None
    finally:
        client.stage = "quit"
        try:
            if client.sock is not None:
                client.quit()
        except (smtplib.SMTPException, OSError, ValueError):
            client.close()
        deadline.close()


def _converse(client: _Client, msg: EmailMessage, settings: SmtpSettings,
              password: str | None) -> None:
    where, shown = settings.server, display_path(settings.path)
    client.connect(settings.host, settings.port)
    client.greeted = True
    client.stage = "hello"
    client.ehlo()
    if settings.security == "starttls":
        if not client.has_extn("starttls"):
            raise MailError(f"{where} does not offer STARTTLS, so the message would travel "
                            f"unencrypted; use security = \"tls\" in {shown} if the server "
                            f"takes implicit TLS; {UNSENT}")
        client.stage = "starttls"
        client.starttls(context=settings.context)
        client.stage = "hello"
        client.ehlo()
    if settings.user is not None:
        client.stage = "login"
        client.login(settings.user, password or "")
    client.stage = "send"
    client.send_message(msg)


def _timed_out(exc: BaseException, client: _Client) -> bool:
    if client.deadline.expired or isinstance(exc, TimeoutError):
        return True
    # smtplib reports a read that timed out as "Connection unexpectedly closed: timed out"
    return (isinstance(exc, smtplib.SMTPServerDisconnected)
            and isinstance(exc.__context__, TimeoutError))


def _failure(exc: BaseException, client: _Client, settings: SmtpSettings,
             msg: EmailMessage) -> str:
    """Say in one line why sending failed, what to check, and whether anything went out."""
    where, shown, seconds = settings.server, display_path(settings.path), settings.timeout
    if client.message_out and not isinstance(exc, smtplib.SMTPResponseException):
        # The server had the whole message; only its answer is missing.
        if _timed_out(exc, client):
            return f"{where} did not confirm the message within {seconds:g} s; {MAYBE}"
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return (f"{where} closed the connection after the message was sent, before "
                    f"confirming it; {MAYBE}")
        return (f"the connection to {where} failed after the message was sent "
                f"({_reason(exc)}); {MAYBE}")
    if _timed_out(exc, client):
        if client.stage == "connect":
            return (f"cannot connect to {where} within {seconds:g} s; check host and port in "
                    f"{shown}; {UNSENT}")
        if not client.greeted:
            return (f"{where} accepted the connection but did not answer within "
                    f"{seconds:g} s; check port and security in {shown} (is a mail server "
                    f"listening there?); {UNSENT}")
        return (f"{where} did not finish the exchange within {seconds:g} s (timeout in "
                f"{shown}; it stopped answering at the {_STAGES[client.stage]}); {UNSENT}")
    return f"{_refusal(exc, client, settings, msg)}; {UNSENT}"


_STAGES = {"connect": "connection", "greeting": "greeting", "hello": "EHLO",
           "starttls": "STARTTLS", "login": "login", "send": "sender and recipient",
           "data": "message", "quit": "end"}


def _refusal(exc: BaseException, client: _Client, settings: SmtpSettings,
             msg: EmailMessage) -> str:
    """Say why the server did not take the message (it definitely did not)."""
    where, shown = settings.server, display_path(settings.path)
    to = str(msg["To"])
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot connect to {where}: connection refused; check host and port in {shown}"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the mail server '{settings.host}'; check host in {shown}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS with {where} failed: its certificate is not trusted "
                f"({exc.verify_message}); if the clinic uses its own certificate authority, "
                f"set ca_file in {shown}")
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {where} failed ({exc.reason or exc}); check security and port in {shown}"
    if isinstance(exc, UnicodeError) and client.stage == "login":
        return (f"the login name or password for {where} holds characters other than ASCII, "
                "which an SMTP login cannot carry here; check user in "
                f"{shown} and the password")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"{where} refused the login of '{settings.user}' "
                f"({_reply(exc.smtp_code, exc.smtp_error, to)}); check user in {shown} and the "
                "password")
    if isinstance(exc, smtplib.SMTPNotSupportedError) and client.stage == "login":
        return f"{where} does not accept a login; remove user from {shown} if it needs none"
    if isinstance(exc, (smtplib.SMTPNotSupportedError, UnicodeError)):
        # send_message needs SMTPUTF8 for an address that is not ASCII
        which = ("the recipient's address" if not to.isascii() else
                 f"the from address in {shown}")
        return (f"{where} does not take addresses with characters other than ASCII (it does "
                f"not offer SMTPUTF8), and {which} has some; use an ASCII address")
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
        if not client.greeted:
            return (f"{where} closed the connection before greeting; check port and security "
                    f"in {shown}")
        return f"{where} closed the connection before it accepted the message"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} answered {_reply(exc.smtp_code, exc.smtp_error, to)}"
    return f"cannot send through {where}: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:160]


def _reply(code: int, text: bytes | str, to: str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    words = " ".join(words.split()).replace(to, "recipient")
    return f"{code} {words}".strip()
