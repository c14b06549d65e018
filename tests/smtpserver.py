"""A real SMTP server for tests: aiosmtpd on a free local port, STARTTLS with its own cert."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "clinic@test-clinic.test", "right-password"
STALL_SECONDS = 30  # longer than any send's deadline in the tests


def make_certificate(folder: Path, name: str = "localhost") -> tuple[Path, Path]:
    """Write a self-signed certificate for localhost and 127.0.0.1; return (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """The server's handler: keeps what it accepts; refuses or drops on request."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    drop: bool = False
    stall: bool = False  # keep the whole message and never answer it

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop:  # a server that goes away with the message half-way
            server.transport.close()
            return "421 closing"
        if self.stall:
            await asyncio.sleep(STALL_SECONDS)  # cancelled when the controller stops
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Message accepted for delivery"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    # handled=False: the server itself answers 535 to a failed login.
    return AuthResult(success=ok, handled=False)


def start(folder: Path, *, size_limit: int = 10 * 1024 * 1024,
          security: str = "starttls", smtputf8: bool = True) -> tuple[Controller, Inbox, Path]:
    """Start the server; return it, its inbox and its certificate.

    ``security``: "starttls" (required before the login), "tls" (implicit TLS from the
    first byte) or "none" (plain, no login). ``smtputf8``: offer SMTPUTF8, for addresses
    that are not ASCII.
    """
    cert, key = make_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    tls: dict[str, Any] = {
        "starttls": {"tls_context": context, "require_starttls": True,
                     "authenticator": authenticate, "auth_require_tls": True},
        "tls": {"ssl_context": context, "authenticator": authenticate,
                "auth_require_tls": False},
        "none": {},
    }[security]
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            data_size_limit=size_limit, server_hostname="localhost",
                            enable_SMTPUTF8=smtputf8, **tls)
    controller.start()
    return controller, inbox, cert


class RawServer:
    """A loopback TCP server that misbehaves in one way, for the failures aiosmtpd cannot play.

    ``behaviour``: "silent" (accepts, never says a word), "close" (accepts and hangs up),
    "drip" (sends its greeting a byte every ``gap`` seconds, never finishing) or
    "drip-ehlo" (greets, then drips its answer to EHLO). Each connection's start and end
    are kept, so a test can measure how long the client held it.
    """

    def __init__(self, behaviour: str, gap: float = 0.4) -> None:
        self.behaviour = behaviour
        self.gap = gap
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = int(self.listener.getsockname()[1])
        self.held: list[tuple[float, float]] = []  # (accepted, client went away)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        start = time.monotonic()
        conn.settimeout(self.gap)
        with conn:
            if self.behaviour == "close":
                self.held.append((start, time.monotonic()))
                return
            script = b""
            if self.behaviour == "drip":
                script = b"220-" + b"x" * 10_000
            elif self.behaviour == "drip-ehlo":
                conn.sendall(b"220 localhost ESMTP\r\n")
                script = b"250-" + b"y" * 10_000
            sent = 0
            while not self._stop.is_set():
                if sent < len(script):
                    try:
                        conn.sendall(script[sent:sent + 1])
                    except OSError:
                        break
                    sent += 1
                try:
                    if conn.recv(4096) == b"":
                        break  # the client hung up
                except TimeoutError:
                    continue
                except OSError:
                    break
            self.held.append((start, time.monotonic()))

    def longest_hold(self) -> float:
        """Return the longest time a client kept a connection open, in seconds."""
        waited = time.monotonic()
        while not self.held and time.monotonic() - waited < 5:  # the hang-up is on its way
            time.sleep(0.05)
        return max(end - start for start, end in self.held)

    def stop(self) -> None:
        self._stop.set()
        self.listener.close()
        for thread in self._threads:
            thread.join(timeout=5)
