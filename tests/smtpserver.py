"""A real SMTP server for tests: aiosmtpd on a free local port, STARTTLS with its own cert."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
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
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Message accepted for delivery"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    # handled=False: the server itself answers 535 to a failed login.
    return AuthResult(success=ok, handled=False)


def start(folder: Path, *, size_limit: int = 10 * 1024 * 1024,
          security: str = "starttls") -> tuple[Controller, Inbox, Path]:
    """Start the server; return it, its inbox and its certificate.

    ``security``: "starttls" (required before the login), "tls" (implicit TLS from the
    first byte) or "none" (plain, no login).
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
                            data_size_limit=size_limit, server_hostname="localhost", **tls)
    controller.start()
    return controller, inbox, cert
