"""brochure send: a personal copy e-mailed through a real SMTP server the test starts."""

from __future__ import annotations

import email
import email.policy
import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from tests.conftest import CLINIC, minimal_files, write_tree
from tests.smtpserver import PASSWORD, USER, Inbox, free_port, make_certificate, start

from brochure.cli import main

PATIENT = "Zebedee Quillfeather"
TO = "patient@example.test"
NOTE = "Walk for **10 minutes** twice a day."
PRACTITIONERS = """\
contact:
  phone: "(555) 010-0000"
  website: www.test-clinic.test
  email: hello@test-clinic.test
practitioners:
  - id: dana
    name: Dana Lee
    role: physiotherapist
    email: dana@test-clinic.test
"""


def clinic_yaml(extra: str = "") -> str:
    base = CLINIC.replace('contact:\n  phone: "(555) 010-0000"\n  website: www.test-clinic.test\n',
                          "")
    return base + PRACTITIONERS + extra


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, input=input)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Inbox, Path]]:
    controller, inbox, cert = start(tmp_path / "server")
    yield controller.port, inbox, cert
    controller.stop()


def write_config(folder: Path, text: str, mode: int = 0o600) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "smtp.toml"
    path.write_text(text, "utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def config(tmp_path: Path, server: tuple[int, Inbox, Path],
           monkeypatch: pytest.MonkeyPatch) -> Path:
    port, _, cert = server
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("BROCHURE_PDF_PASSWORD", "pdf-pass")
    return write_config(tmp_path / "home", f"""\
host = "127.0.0.1"
port = {port}
security = "starttls"
user = "{USER}"
from = "Test Clinic <{USER}>"
ca_file = "{cert}"
timeout = 10
""")


def make_clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str = "") -> Path:
    """Build the project in its own folder, beside the settings and the outbox."""
    files = {**minimal_files(), "handouts/clinic.yaml": clinic_yaml(extra)}
    root = write_tree(tmp_path / "project", files)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_clinic(tmp_path, monkeypatch)


def send(config: Path, *extra: str, to: str = TO):
    return invoke("send", "back-pain", "--patient", PATIENT, "--practitioner", "dana",
                  "--note", NOTE, "--password", "--to", to, "--smtp-config", str(config),
                  *extra)


def test_sends_through_starttls_with_the_encrypted_copy(project: Path, config: Path,
                                                        server: tuple[int, Inbox, Path]) -> None:
    port, inbox, _ = server
    result = send(config)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent the message (")
    assert result.stdout.endswith(f" KB, encrypted with AES-256) through 127.0.0.1:{port}\n")
    assert len(inbox.messages) == 1
    mail_from, rcpt, raw = inbox.messages[0]
    assert (mail_from, rcpt) == (USER, [TO])
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["From"] == f"Test Clinic <{USER}>"
    assert msg["To"] == TO
    assert msg["Reply-To"] == "Test Clinic <dana@test-clinic.test>"
    assert msg["Subject"] == "Your handout from Test Clinic"
    assert msg["Message-ID"].endswith("@test-clinic.test>") and msg["Date"]
    assert PATIENT.encode() not in raw and b"Quillfeather" not in raw
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Hello,\n\nDana Lee made this handout for you.")
    assert "The file is locked with a password." in body
    attachments = list(msg.iter_attachments())
    assert [(a.get_content_type(), a.get_filename()) for a in attachments] == [
        ("application/pdf", "back-pain.pdf")]
    reader = PdfReader(io.BytesIO(attachments[0].get_content()))
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)
    assert reader.decrypt("pdf-pass")
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Prepared for {PATIENT} by Dana Lee, physiotherapist" in words
    assert "A note from Dana Lee Walk for 10 minutes twice a day." in words


def test_a_spanish_copy_goes_in_a_spanish_message(tmp_path: Path, config: Path,
                                                  server: tuple[int, Inbox, Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_translations import spanish

    root = make_clinic(tmp_path, monkeypatch)
    clinic = root / "handouts" / "clinic.yaml"
    clinic.write_text(clinic.read_text("utf-8").replace(
        "  language: en\n", "  language: en\n  languages: [en, es]\n"), "utf-8")
    write_tree(root, spanish(root))
    result = send(config, "--lang", "es")
    assert result.exit_code == 0, result.output
    msg = email.message_from_bytes(server[1].messages[0][2], policy=email.policy.default)
    assert msg["Subject"] == "Su folleto de Test Clinic"
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Hola:\n\nDana Lee ha preparado este folleto para usted.")
    assert "El archivo está protegido con una contraseña." in body
    reader = PdfReader(io.BytesIO(next(msg.iter_attachments()).get_content()))
    assert reader.decrypt("pdf-pass")
    assert reader.root_object["/Lang"] == "es"
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Preparado para {PATIENT} por Dana Lee, physiotherapist, el " in words
    assert "Una nota de Dana Lee Walk for 10 minutes twice a day." in words  # as written
    assert "Lo más importante que debe recordar" in words


def test_the_clinic_can_name_the_patient(tmp_path: Path, config: Path,
                                         server: tuple[int, Inbox, Path],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_clinic(tmp_path, monkeypatch, "mail: {show_patient_name: true}\n")
    result = invoke("send", "back-pain", "--patient", "Ana Pérez", "--to", TO,
                    "--smtp-config", str(config))
    assert result.exit_code == 0, result.output
    assert "Ana" not in result.output
    msg = email.message_from_bytes(server[1].messages[0][2], policy=email.policy.default)
    assert msg["Subject"] == "Your handout from Test Clinic, for Ana Pérez"
    assert [a.get_filename() for a in msg.iter_attachments()] == ["back-pain-ana-perez.pdf"]
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Ana Pérez,\n\nTest Clinic made this handout for you.")


@pytest.mark.parametrize("security", ["tls", "none"])
def test_implicit_tls_and_an_insecure_server_on_purpose(project: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        security: str) -> None:
    controller, inbox, cert = start(tmp_path / "server", security=security)
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", PASSWORD)
    login = f'user = "{USER}"\n' if security == "tls" else 'from = "hello@test-clinic.test"\n'
    insecure = "allow_insecure = true\n" if security == "none" else ""
    config = write_config(tmp_path / "home", f'host = "127.0.0.1"\nport = {controller.port}\n'
                          f'security = "{security}"\n{login}{insecure}ca_file = "{cert}"\n')
    try:
        result = invoke("send", "back-pain", "--patient", PATIENT, "--to", TO,
                        "--smtp-config", str(config))
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f" KB) through 127.0.0.1:{controller.port}\n")
    assert [(m[0], m[1]) for m in inbox.messages] == [
        (USER if security == "tls" else "hello@test-clinic.test", [TO])]


def test_a_server_without_starttls_is_refused(project: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    controller, inbox, _ = start(tmp_path / "server", security="none")
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("BROCHURE_PDF_PASSWORD", "pdf-pass")
    config = write_config(tmp_path / "home", f'host = "127.0.0.1"\nport = {controller.port}\n'
                          f'user = "{USER}"\n')
    try:
        result = send(config)
    finally:
        controller.stop()
    assert (result.exit_code, result.stderr) == (
        1, f"error: 127.0.0.1:{controller.port} does not offer STARTTLS, so the message would "
        f"travel unencrypted; use security = \"tls\" in {config} if the server takes implicit "
        "TLS; nothing was sent\n")
    assert inbox.messages == []


def test_wrong_password_is_one_line(project: Path, config: Path,
                                    server: tuple[int, Inbox, Path],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", "wrong")
    result = send(config)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: 127.0.0.1:{server[0]} refused the login of '{USER}' (535 5.7.8 "
        f"Authentication credentials invalid); check user in {config} and the password; "
        "nothing was sent\n")
    assert server[1].messages == []


def test_refused_recipient_is_one_line(project: Path, config: Path,
                                       server: tuple[int, Inbox, Path]) -> None:
    server[1].refuse.add("nobody@example.test")
    result = send(config, to="nobody@example.test")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: 127.0.0.1:{server[0]} refused the recipient (550 5.1.1 <recipient>: "
        "Recipient address rejected: User unknown); check the address; nothing was sent\n")
    assert server[1].messages == []


def test_dropped_connection_is_one_line(project: Path, config: Path,
                                        server: tuple[int, Inbox, Path]) -> None:
    """The server had the whole message when it hung up: it may have kept it."""
    server[1].drop = True
    result = send(config)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"error: 127.0.0.1:{server[0]} closed the connection after the "
                             "message was sent, before confirming it; the message may have "
                             "been delivered; check before sending it again\n")
    assert server[1].messages == []


def test_message_too_large_is_one_line(project: Path, tmp_path: Path, config: Path,
                                       server: tuple[int, Inbox, Path]) -> None:
    small, inbox, cert = start(tmp_path / "small", size_limit=10_000)
    try:
        text = (config.read_text().replace(f"port = {server[0]}", f"port = {small.port}")
                .replace(str(server[2]), str(cert)))
        result = send(write_config(tmp_path / "small-home", text))
    finally:
        small.stop()
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"error: 127.0.0.1:{small.port} refused the message as "
                                    "too large (")
    assert result.stderr.endswith(" KB; 552 Error: message size exceeds fixed maximum "
                                  "message size); nothing was sent\n")
    assert inbox.messages == []


def test_connection_refused_and_untrusted_certificate(project: Path, tmp_path: Path,
                                                      config: Path) -> None:
    closed = free_port()
    text = config.read_text()
    port = text.split("port = ")[1].split("\n")[0]
    refused = write_config(tmp_path / "refused", text.replace(f"port = {port}",
                                                              f"port = {closed}"))
    result = send(refused)
    assert (result.exit_code, result.stderr) == (
        1, f"error: cannot connect to 127.0.0.1:{closed}: connection refused; check host and "
        f"port in {refused}; nothing was sent\n")
    other, _ = make_certificate(tmp_path / "other-ca")
    untrusted = write_config(tmp_path / "untrusted", "\n".join(
        line for line in text.splitlines() if not line.startswith("ca_file")
    ) + f'\nca_file = "{other}"\n')
    result = send(untrusted)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: TLS with 127.0.0.1:{port} failed: its "
                                    "certificate is not trusted (")
    assert result.stderr.endswith(f"); if the clinic uses its own certificate authority, set "
                                  f"ca_file in {untrusted}; nothing was sent\n")


def test_settings_file_is_checked(project: Path, tmp_path: Path, config: Path) -> None:
    text = config.read_text()
    cases = [
        (write_config(tmp_path / "open", text, mode=0o644),
         "other users can read or change this file (mode 0644); make it yours alone with: "
         "chmod 600 {path}"),
        (write_config(tmp_path / "plain", text.replace('"starttls"', '"none"')),
         'security = "none" sends the password and the patient\'s file unencrypted; use '
         '"starttls" or "tls", or add allow_insecure = true for a server on this machine'),
        (write_config(tmp_path / "typo", text + "hots = 1\n"), "hots: unknown key"),
        (write_config(project / "handouts" / "private", text),
         "the mail server settings are inside the project, where they could be shared with "
         "the content; move them to ~/.config/brochure/smtp.toml"),
        (tmp_path / "missing.toml",
         "no mail server settings here; create it (see 'SMTP settings' in the README) or name "
         "another with --smtp-config or $BROCHURE_SMTP_CONFIG"),
    ]
    for path, message in cases:
        result = send(path)
        shown = "handouts/private/smtp.toml" if "private" in str(path) else str(path)
        assert (result.exit_code, result.stderr) == (
            1, f"error: {shown}: {message.format(path=shown)}\n"), path


def test_no_password_and_no_keyring(project: Path, config: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BROCHURE_SMTP_PASSWORD")
    monkeypatch.setitem(sys.modules, "keyring", None)  # as when it is not installed
    result = send(config)
    assert (result.exit_code, result.stderr) == (
        1, f"error: no password for '{USER}': $BROCHURE_SMTP_PASSWORD is not set and the "
        "keyring package is not installed; set the variable, or install keyring (pip install "
        "'brochure[keyring]') and store it there under the service 'brochure-smtp'\n")


def test_dry_run_writes_the_message_and_connects_to_nothing(project: Path, tmp_path: Path,
                                                            config: Path,
                                                            server: tuple[int, Inbox, Path]
                                                            ) -> None:
    out = tmp_path / "outbox" / "message.eml"
    result = send(config, "--dry-run", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out} (") and result.stdout.endswith("not sent)\n")
    assert server[1].messages == []
    assert out.stat().st_mode & 0o777 == 0o600
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg["To"] == TO and msg["Subject"] == "Your handout from Test Clinic"
    result = send(config, "--dry-run")
    assert (result.exit_code, result.stderr) == (
        2, "error: --dry-run writes the message to a file: give it with --out FILE.eml\n")


def test_nothing_about_the_patient_is_kept(project: Path, tmp_path: Path, config: Path,
                                          server: tuple[int, Inbox, Path],
                                          monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    """Search every file the run could touch for the patient's name, in any form."""
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir(mode=0o700)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    caplog.set_level(logging.DEBUG)
    name = "Xanthippe Quorumwhistle"
    built = invoke("build", "--layout", "handout", "--paper", "letter", "--jobs", "1")
    assert built.exit_code == 0, built.output
    outbox = tmp_path / "outbox"
    outputs = [
        invoke("personalise", "back-pain", "--patient", name, "--note", NOTE, "--out",
               str(outbox / "copy.pdf")),
        invoke("personalise", "back-pain", "--patient", name, "--password", "--out",
               str(outbox / "locked.pdf")),
        invoke("send", "back-pain", "--patient", name, "--to", TO, "--password",
               "--smtp-config", str(config)),
        invoke("send", "back-pain", "--patient", name, "--to", TO, "--smtp-config",
               str(config), "--dry-run", "--out", str(outbox / "message.eml")),
    ]
    for result in outputs:
        assert result.exit_code == 0, result.output
    assert len(server[1].messages) == 1
    forms = [name, name.upper(), "Quorumwhistle", "quorumwhistle"]
    needles = [f.encode(enc) for f in forms for enc in ("utf-8", "utf-16-be", "utf-16-le")]

    def holds(data: bytes) -> bool:
        if any(n in data for n in needles):
            return True
        if data.startswith(b"%PDF"):  # compressed or encrypted: read what a reader sees
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt("pdf-pass"):
                return False
            return any(f in (p.extract_text() or "") for p in reader.pages for f in forms)
        if b"Content-Type: multipart" in data:
            msg = email.message_from_bytes(data, policy=email.policy.default)
            return any(holds(part.get_content()) for part in msg.iter_attachments())
        return False

    found = set()
    for root in (tmp_path, Path(tempfile.gettempdir())):
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink() and holds(path.read_bytes()):
                found.add(path.relative_to(tmp_path))
    assert found == {Path("outbox/copy.pdf"), Path("outbox/locked.pdf"),
                     Path("outbox/message.eml")}
    assert (project / "dist" / "manifest.json").is_file()
    assert holds(server[1].messages[0][2])  # in the message sent, inside the locked PDF
    assert PdfReader(outbox / "locked.pdf").is_encrypted
    captured = "".join(r.output for r in [built, *outputs]) + caplog.text
    assert not any(f in captured for f in forms)
    assert sorted(p.name for p in outbox.iterdir()) == ["copy.pdf", "locked.pdf", "message.eml"]


def test_settings_come_from_the_environment_or_the_config_folder(
        project: Path, tmp_path: Path, config: Path, server: tuple[int, Inbox, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import brochure

    monkeypatch.setenv("BROCHURE_SMTP_CONFIG", str(config))
    sent = brochure.send(project=project, condition="back-pain", patient=PATIENT, to=TO)
    assert (sent.server, sent.attachment, sent.encrypted) == (
        f"127.0.0.1:{server[0]}", "back-pain.pdf", False)
    monkeypatch.delenv("BROCHURE_SMTP_CONFIG")
    xdg = tmp_path / "xdg"
    write_config(xdg / "brochure", config.read_text())
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    result = invoke("send", "back-pain", "--patient", PATIENT, "--to", TO)
    assert result.exit_code == 0, result.output
    assert len(server[1].messages) == 2
