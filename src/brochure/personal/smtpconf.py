"""The clinic's mail server settings: a TOML file outside the project, readable by its owner only.

~/.config/brochure/smtp.toml (or $XDG_CONFIG_HOME/brochure/smtp.toml), a path given with
``--smtp-config``, or the BROCHURE_SMTP_CONFIG environment variable. The password is never
in the file: it comes from an environment variable or the system keyring.
"""

from __future__ import annotations

import os
import re
import ssl
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from brochure.errors import MailError, display_path
from brochure.personal.headers import one_line, sender_parts
from brochure.safefile import read_input

CONFIG_ENV = "BROCHURE_SMTP_CONFIG"
PASSWORD_ENV = "BROCHURE_SMTP_PASSWORD"
KEYRING_SERVICE = "brochure-smtp"
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
MAX_CA_BYTES = 10_000_000  # a bundle of every public authority is under 1 MB
SETTINGS_LIMIT = 64 * 1024  # bytes: a settings file is a few lines

Host = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.:\[\]-]+$", max_length=253)]


class SmtpFile(BaseModel):
    """The keys of smtp.toml; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: Host
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    security: Literal["starttls", "tls", "none"] = "starttls"
    allow_insecure: bool = False
    user: Annotated[str, StringConstraints(min_length=1)] | None = None
    sender: Annotated[str, StringConstraints(min_length=3)] | None = Field(None, alias="from")
    password_env: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] = (
        PASSWORD_ENV)
    keyring_service: Annotated[str, StringConstraints(min_length=1)] = KEYRING_SERVICE
    ca_file: str | None = None
    timeout: Annotated[float, Field(gt=0, le=600)] = 30


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: the settings file, checked."""

    path: Path
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    user: str | None
    sender: str  # the From address
    password_env: str
    keyring_service: str
    ca_file: Path | None
    timeout: float
    context: ssl.SSLContext = field(repr=False, compare=False)

    @property
    def server(self) -> str:
        """Return host:port, for messages."""
        return f"{self.host}:{self.port}"


def default_path() -> Path:
    """Return ~/.config/brochure/smtp.toml (honouring XDG_CONFIG_HOME)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "brochure" / "smtp.toml"


def config_path(given: Path | str | None) -> Path:
    """Return the settings file to use: the one given, $BROCHURE_SMTP_CONFIG, or the default."""
    if given is not None:
        return Path(given).expanduser()
    from_env = os.environ.get(CONFIG_ENV)
    return Path(from_env).expanduser() if from_env else default_path()


def load_settings(path: Path, *, project: Path) -> SmtpSettings:
    """Read and check the settings file; every problem is one line naming the file."""
    shown = display_path(path)
    if not path.is_file():
        raise MailError(f"{shown}: no mail server settings here; create it (see 'SMTP "
                        f"settings' in the README) or name another with --smtp-config or "
                        f"${CONFIG_ENV}")
    resolved = path.resolve()
    # The usual place is never "inside the project", even for a project in the home folder.
    if resolved.is_relative_to(project.resolve()) and resolved != default_path().resolve():
        raise MailError(f"{shown}: the mail server settings are inside the project, where "
                        "they could be shared with the content; move them to "
                        "~/.config/brochure/smtp.toml")
    mode = stat.S_IMODE(resolved.stat().st_mode)
    if mode & 0o077:
        raise MailError(f"{shown}: other users can read or change this file (mode "
                        f"{mode:04o}); make it yours alone with: chmod 600 {shown}")
    text = read_input(resolved, what="", limit=SETTINGS_LIMIT, allow_stdin=False)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"{shown}:{match[1]}:{match[2]}" if match else shown
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise MailError(f"{where}: {reason}") from None
    try:
        model = SmtpFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(part) for part in err["loc"]) or "(file)"
        if err["type"] == "extra_forbidden":
            reason = "unknown key"
        elif err["type"] == "missing":
            reason = "missing; add it"
        else:
            reason = err["msg"][0].lower() + err["msg"][1:]
        raise MailError(f"{shown}: {key}: {reason}") from None
    if model.security == "none" and not model.allow_insecure:
        raise MailError(f"{shown}: security = \"none\" sends the password and the patient's "
                        "file unencrypted; use \"starttls\" or \"tls\", or add allow_insecure "
                        "= true for a server on this machine")
    if model.user is not None:
        one_line(model.user, f"{shown}: user")
    key = "from" if model.sender is not None else "user"
    sender = model.sender or model.user
    if sender is None:
        raise MailError(f"{shown}: from: missing; add the address the e-mails come from")
    one_line(sender, f"{shown}: {key}")
    if sender_parts(sender) is None:
        raise MailError(f"{shown}: {key}: '{sender}' is not an e-mail address; write it like "
                        "\"Clinic <clinic@example.com>\"")
    ca_file = None
    if model.ca_file is not None:
        ca_file = Path(one_line(model.ca_file, f"{shown}: ca_file")).expanduser()
        if not ca_file.is_absolute():
            ca_file = resolved.parent / ca_file
    return SmtpSettings(
        path=path, host=model.host, port=model.port or DEFAULT_PORTS[model.security],
        security=model.security, user=model.user, sender=sender,
        password_env=model.password_env, keyring_service=model.keyring_service,
        ca_file=ca_file, timeout=model.timeout, context=tls_context(ca_file, shown))


def tls_context(ca_file: Path | None, shown: str) -> ssl.SSLContext:
    """Return the TLS settings: the system's certificate authorities, or the clinic's own.

    ``ca_file`` is checked here, so a folder, a pipe or a file that holds no certificate is
    one line naming smtp.toml's key before anything is made or sent.
    """
    if ca_file is None:
        return ssl.create_default_context()
    where = f"{shown}: ca_file: {display_path(ca_file)}"
    try:
        info = ca_file.stat()
    except FileNotFoundError:
        raise MailError(f"{where} does not exist; give the path of the certificate "
                        "authority's file (PEM)") from None
    except OSError as exc:
        raise MailError(f"{where}: cannot read it ({exc.strerror}); check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise MailError(f"{where} is a folder; give the certificate file inside it (PEM)")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would hold the send forever
        raise MailError(f"{where} is not a regular file; give the certificate file (PEM)")
    if info.st_size > MAX_CA_BYTES:
        raise MailError(f"{where} is over {MAX_CA_BYTES // 1_000_000} MB, too large for a "
                        "certificate file; give the certificate authority's file (PEM)")
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except PermissionError:
        raise MailError(f"{where}: cannot read it (permission denied); make it readable "
                        "by you") from None
    except (OSError, ssl.SSLError, ValueError):
        raise MailError(f"{where} holds no certificate this tool can read; give the "
                        "certificate authority's file in PEM form (text that begins "
                        "'-----BEGIN CERTIFICATE-----')") from None


def password(settings: SmtpSettings) -> str | None:
    """Return the login password: from the environment, else from the system keyring."""
    if settings.user is None:
        return None
    from_env = os.environ.get(settings.password_env)
    if from_env:
        return from_env
    try:
        import keyring  # optional: pip install 'brochure[keyring]'
        import keyring.errors
    except ImportError:
        raise MailError(f"no password for '{settings.user}': ${settings.password_env} is not "
                        "set and the keyring package is not installed; set the variable, or "
                        "install keyring (pip install 'brochure[keyring]') and store it "
                        f"there under the service '{settings.keyring_service}'") from None
    try:
        stored = keyring.get_password(settings.keyring_service, settings.user)
    except keyring.errors.KeyringError as exc:
        raise MailError(f"no password for '{settings.user}': ${settings.password_env} is not "
                        f"set and the system keyring cannot be read ({exc})") from None
    if not stored:
        raise MailError(f"no password for '{settings.user}': ${settings.password_env} is not "
                        f"set and the keyring has none under the service "
                        f"'{settings.keyring_service}'; set the variable or run: keyring set "
                        f"{settings.keyring_service} {settings.user}")
    return str(stored)
