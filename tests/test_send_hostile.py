"""brochure send against hostile templates, headers and mail servers: one line, nothing run,
nothing read from outside, nothing sent twice, and never longer than the deadline.

The servers are real and local: aiosmtpd (tests/smtpserver.py) where it can play the case,
a small socket server where it cannot (a server that says nothing, drips, or hangs up).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.smtpserver import PASSWORD, USER, Inbox, RawServer, start
from tests.test_send import (
    PATIENT,
    TO,
    invoke,
    send,
    write_config,
)
from tests.test_send import config as config
from tests.test_send import project as project
from tests.test_send import server as server

from brochure.errors import printable

SRC = Path(__file__).resolve().parents[1] / "src"
TIMEOUT = 2  # the deadline of every send here; each must end well within BOUND
BOUND = 10


def dry_run(tmp_path: Path, config: Path) -> tuple[object, Path]:
    out = tmp_path / "outbox" / "message.eml"
    out.parent.mkdir(exist_ok=True)
    return send(config, "--dry-run", "--out", str(out)), out


def assert_refused(result: object, message: str, code: int = 1) -> None:
    assert (result.exit_code, result.stdout) == (code, ""), result.output  # type: ignore[attr-defined]
    assert result.stderr == f"error: {message}\n"  # type: ignore[attr-defined]


# --- the message template: sandboxed, read from the template folders only -------------

def test_the_template_cannot_run_code(project: Path, tmp_path: Path, config: Path,
                                      server: tuple[int, Inbox, Path]) -> None:
    proof = tmp_path / "ran"
    payloads = [
        f'{{{{ cycler.__init__.__globals__.os.popen("touch {proof}").read() }}}}',
        f'{{{{ joiner.__init__.__globals__.os.system("touch {proof}") }}}}',
        f"{{{{ lipsum.__globals__['os'].system('touch {proof}') }}}}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ clinic.__class__.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__.sys.modules.os.getcwd() }}",
        "{{ self._TemplateReference__context }}",
        "{{ clinic.contact.__class__.__base__.__subclasses__() }}",
    ]
    for i, payload in enumerate(payloads):
        write = project / "templates" / "message.txt.j2"
        write.parent.mkdir(exist_ok=True)
        write.write_text(f"Subject: Hi\n\n{payload}\n", "utf-8")
        for result in [send(config) if i % 2 else dry_run(tmp_path, config)[0]]:
            assert (result.exit_code, result.stdout) == (1, ""), (payload, result.output)
            assert result.stderr.startswith(
                "error: templates/message.txt.j2:3: the template reaches for something "
                "templates may not use ("), (payload, result.stderr)
            assert result.stderr.endswith(
                "); use only the values the tool passes (clinic, patient, by, title, "
                "attachment, encrypted, phone)\n"), payload
            assert result.stderr.count("\n") == 1
    assert not proof.exists()
    assert server[1].messages == []
    assert not (tmp_path / "outbox" / "message.eml").exists()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text("SECRET-OUTSIDE-THE-PROJECT\n", "utf-8")
    return path


OUT_OF_BOUNDS = ("cannot use the template: it is a link that points outside the folders "
                 "brochures may read from; copy the file into the project")


def _cases(project: Path, secret: Path) -> Iterator[tuple[str, str]]:
    """Set up one refused template after another; yield the line each must give."""
    templates = project / "templates"
    templates.mkdir(exist_ok=True)
    message = templates / "message.txt.j2"

    def reset() -> None:
        for entry in templates.iterdir():
            entry.unlink()

    reset()
    message.symlink_to(secret)
    yield "templates/message.txt.j2:1: " + OUT_OF_BOUNDS
    reset()
    (templates / "leak.txt").symlink_to(secret)
    message.write_text('Subject: Hi\n\n{% include "leak.txt" %}\n', "utf-8")
    yield "templates/leak.txt:1: " + OUT_OF_BOUNDS
    reset()
    (templates / "nested").mkdir() if not (templates / "nested").exists() else None
    message.write_text('Subject: Hi\n\n{% include "../outside/secret.txt" %}\n', "utf-8")
    yield ("templates/message.txt.j2:3: template '../outside/secret.txt' not found; put it "
           "in the project's templates/ folder or remove the line")
    (templates / "nested").rmdir()
    reset()
    os.mkfifo(message)
    yield ("templates/message.txt.j2:1: cannot use the template: it is a named pipe (FIFO), "
           "not a file; replace it with a regular file")
    reset()
    message.write_text("Subject: Hi\n\n" + "x" * 1_000_001, "utf-8")
    yield ("templates/message.txt.j2:1: cannot use the template: the file is over the "
           "1,000,000-byte limit; make it smaller or split it")
    reset()
    message.write_bytes(b"Subject: Hi\n\n\xff\xfe caf\xe9\n")
    yield ("templates/message.txt.j2:1: cannot use the template: the file is not UTF-8 text; "
           "save it as UTF-8")
    reset()
    message.write_text('Subject: Hi\n\n{% include "message.txt.j2" %}\n', "utf-8")
    yield ("templates/message.txt.j2:3: the template nests or repeats itself too deeply; "
           "simplify it")
    reset()


def test_templates_out_of_bounds_are_one_line(project: Path, tmp_path: Path, config: Path,
                                              server: tuple[int, Inbox, Path],
                                              secret: Path) -> None:
    for i, message in enumerate(_cases(project, secret)):
        for result in [send(config) if i % 2 else dry_run(tmp_path, config)[0]]:
            assert_refused(result, message)
            assert "SECRET" not in result.output
    assert server[1].messages == []
    assert not (tmp_path / "outbox" / "message.eml").exists()


def test_a_template_that_loops_or_grows_is_stopped(project: Path, tmp_path: Path,
                                                   config: Path) -> None:
    message = project / "templates" / "message.txt.j2"
    message.parent.mkdir(exist_ok=True)
    cases = {
        "{{ 'x' * 1000000000 }}": "'*' would make more than 1,000,000 items or characters",
        "{{ [1] * 999999999 }}": "'*' would make more than 1,000,000 items or characters",
        "{{ 9 ** 1000000000 }}": "'**' with an exponent over 10,000",
    }
    for body, reason in cases.items():
        message.write_text(f"Subject: Hi\n\n{body}\n", "utf-8")
        result = dry_run(tmp_path, config)[0]
        assert_refused(result, f"templates/message.txt.j2:3: the template reaches for "
                       f"something templates may not use ({reason}); use only the values the "
                       "tool passes (clinic, patient, by, title, attachment, encrypted, phone)")
    message.write_text("Subject: Hi\n\n{% for i in range(10**9) %}x{% endfor %}\n", "utf-8")
    result = dry_run(tmp_path, config)[0]
    assert result.exit_code == 1 and result.stderr.startswith(
        "error: templates/message.txt.j2:3: the template failed (OverflowError: Range too big.")


# --- headers: one line each, whatever file or option they come from ---------------------

def escape(char: str) -> str:
    """Return ``char`` as a \\uXXXX escape, which YAML and TOML strings both read."""
    return "".join(f"\\u{ord(c):04x}" for c in char)


# The line breaks YAML's loader lets through (it refuses the other control characters).
BREAKS = ["\n", "\u2028", "\u2029"]


def test_no_clinic_value_can_break_the_subject_or_a_header(
        project: Path, tmp_path: Path, config: Path, server: tuple[int, Inbox, Path]) -> None:
    clinic = project / "handouts" / "clinic.yaml"
    text = clinic.read_text("utf-8")
    cases = [
        ("name: Test Clinic", 'name: "Test Clinic{char}Bcc: victim@example.test"',
         "1:7: name"),
        ("name: Dana Lee", 'name: "Dana{char}Bcc: victim@example.test"',
         "{line}:11: practitioners[0].name"),
        ('phone: "(555) 010-0000"', 'phone: "(555) 010-0000{char}Bcc: x"',
         "{line}:10: contact.phone"),
    ]
    for i, char in enumerate(BREAKS):
        for old, new, where in cases:
            changed = text.replace(old, new.format(char=escape(char)))
            clinic.write_text(changed, "utf-8")
            line = next(n for n, row in enumerate(changed.splitlines(), 1) if "Bcc" in row)
            result = send(config) if i % 2 == 0 else dry_run(tmp_path, config)[0]
            # The content's own rules refuse it as the project is read, before send does
            # anything: one line naming the file, line, key and the character.
            assert (result.exit_code, result.stdout) == (1, ""), result.output
            first, count = result.stderr.splitlines()
            assert first.startswith(f"handouts/clinic.yaml:{where.format(line=line)}: the "
                                    f"text holds a line break, U+{ord(char):04X} "), first
            assert first.endswith("; write it on one line"), first
            assert count == "1 problem found in the content"
    assert server[1].messages == []
    assert not (tmp_path / "outbox" / "message.eml").exists()


def test_an_address_in_clinic_yaml_cannot_add_a_header(
        project: Path, tmp_path: Path, config: Path, server: tuple[int, Inbox, Path]) -> None:
    clinic = project / "handouts" / "clinic.yaml"
    text = clinic.read_text("utf-8")
    for char in BREAKS:
        for old, key in (("hello@test-clinic.test", "contact.email"),
                         ("dana@test-clinic.test", "practitioners[0].email")):
            clinic.write_text(text.replace(old, f'"{old}{escape(char)}Bcc: x@example.test"'),
                              "utf-8")
            result = invoke("send", "back-pain", "--patient", PATIENT, "--to", TO,
                            "--smtp-config", str(config),
                            *(["--practitioner", "dana"] if "practitioners" in key else []))
            assert (result.exit_code, result.stdout) == (1, ""), result.output
            first = result.stderr.splitlines()[0]
            assert first.startswith(("handouts/clinic.yaml:", "error: handouts/clinic.yaml:"))
            assert f": {key}: " in first and "internal error" not in result.stderr, first
    assert server[1].messages == []


def test_no_subject_sender_or_recipient_can_add_a_header(
        project: Path, tmp_path: Path, config: Path, server: tuple[int, Inbox, Path]) -> None:
    template = project / "templates" / "message.txt.j2"
    template.parent.mkdir(exist_ok=True)
    for char in ["\u2028", "\x85", "\x00", "\x1b"]:
        template.write_text(f"Subject: Hi{{{{ '{escape(char)}Bcc: victim@example.test' }}}}"
                            "\n\nBody\n", "utf-8")
        advice = ("a control character ({}); remove it" if char in "\x00\x1b" else
                  "a line break ({}); write it on one line").format(printable(char))
        assert_refused(send(config), f"templates/message.txt.j2: the subject: holds {advice}")
    template.write_text("Subject: Hi{{ '\\r\\nBcc: victim@example.test' }}\n\nBody\n",
                        "utf-8")
    assert_refused(send(config), "templates/message.txt.j2: the first line must be "
                   "'Subject: ...', then a blank line, then the message")
    template.unlink()
    for char in ["\r\n", "\n", "\u2028", "\x85", "\x00", "\x7f"]:
        home = write_config(tmp_path / "home-from", config.read_text().replace(
            f'from = "Test Clinic <{USER}>"',
            f'from = "Test Clinic <{USER}>{escape(char)}Bcc: victim@example.test"'))
        advice = ("a control character ({}); remove it" if char in "\x00\x7f" else
                  "a line break ({}); write it on one line").format(printable(char[0]))
        result = send(home) if char != "\n" else dry_run(tmp_path, home)[0]
        assert_refused(result, f"{home}: from: holds {advice}")
        result = send(config, to=f"patient@example.test{char}Bcc: victim@example.test")
        assert_refused(result, "--to is not one e-mail address; write it like "
                       "name@example.com", code=2)
    assert server[1].messages == []
    assert not (tmp_path / "outbox" / "message.eml").exists()


# --- the mail server settings -----------------------------------------------------------

def test_ca_file_that_is_no_certificate(project: Path, tmp_path: Path, config: Path,
                                        server: tuple[int, Inbox, Path]) -> None:
    text = config.read_text()
    ca = text.split('ca_file = "')[1].split('"')[0]
    folder = tmp_path / "certs"
    folder.mkdir()
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", "utf-8")
    fifo = tmp_path / "pipe.pem"
    os.mkfifo(fifo)
    cases = {
        folder: "is a folder; give the certificate file inside it (PEM)",
        junk: ("holds no certificate this tool can read; give the certificate authority's "
               "file in PEM form (text that begins '-----BEGIN CERTIFICATE-----')"),
        fifo: "is not a regular file; give the certificate file (PEM)",
        tmp_path / "missing.pem": ("does not exist; give the path of the certificate "
                                   "authority's file (PEM)"),
    }
    nul = write_config(tmp_path / "home-nul", text.replace(ca, "/etc/ssl/x\\u0000.pem"))
    assert_refused(send(nul), f"{nul}: ca_file: holds a control character (\\x00); remove it")
    for path, reason in cases.items():
        settings = write_config(tmp_path / f"home-{path.name}", text.replace(ca, str(path)))
        for result in (send(settings), dry_run(tmp_path, settings)[0]):
            assert_refused(result, f"{settings}: ca_file: {path} {reason}")
    assert server[1].messages == []


# --- the mail server: what happened, within the deadline -----------------------------

@pytest.fixture
def raw(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    server = RawServer(request.param)
    yield server
    server.stop()


def raw_config(tmp_path: Path, port: int, security: str = "starttls") -> Path:
    return write_config(tmp_path / "raw-home", f'host = "127.0.0.1"\nport = {port}\n'
                        f'security = "{security}"\nuser = "{USER}"\ntimeout = {TIMEOUT}\n')


@pytest.mark.parametrize(("raw", "security", "message"), [
    ("silent", "starttls", "accepted the connection but did not answer within 2 s; check port "
     "and security in {config} (is a mail server listening there?); nothing was sent"),
    ("silent", "tls", "accepted the connection but did not answer within 2 s; check port "
     "and security in {config} (is a mail server listening there?); nothing was sent"),
    ("drip", "starttls", "accepted the connection but did not answer within 2 s; check port "
     "and security in {config} (is a mail server listening there?); nothing was sent"),
    ("drip-ehlo", "starttls", "did not finish the exchange within 2 s (timeout in {config}; "
     "it stopped answering at the EHLO); nothing was sent"),
    ("close", "starttls", "closed the connection before greeting; check port and security in "
     "{config}; nothing was sent"),
], indirect=["raw"])
def test_a_server_that_says_nothing_or_drips_is_given_up_on_time(
        project: Path, tmp_path: Path, raw: RawServer, security: str, message: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", PASSWORD)
    config = raw_config(tmp_path, raw.port, security)
    result = invoke("send", "back-pain", "--patient", PATIENT, "--to", TO,
                    "--smtp-config", str(config))
    assert_refused(result, f"127.0.0.1:{raw.port} " + message.format(config=config))
    assert raw.longest_hold() < BOUND  # the whole exchange, not one read


def test_no_confirmation_within_the_deadline(project: Path, tmp_path: Path, config: Path,
                                             server: tuple[int, Inbox, Path]) -> None:
    import time

    server[1].stall = True
    short = write_config(tmp_path / "short", config.read_text().replace(
        "timeout = 10", f"timeout = {TIMEOUT}"))
    began = time.monotonic()
    result = send(short)
    assert_refused(result, f"127.0.0.1:{server[0]} did not confirm the message within 2 s; "
                   "the message may have been delivered; check before sending it again")
    assert time.monotonic() - began < BOUND + 20  # the copy is made first; no tight timing


def test_an_address_that_is_not_ascii_needs_smtputf8(project: Path, tmp_path: Path,
                                                     config: Path,
                                                     server: tuple[int, Inbox, Path]) -> None:
    result = send(config, to="zoë@example.test")  # this server offers SMTPUTF8
    assert result.exit_code == 0, result.output
    assert [m[1] for m in server[1].messages] == [["zoë@example.test"]]
    plain, inbox, cert = start(tmp_path / "plain", smtputf8=False)
    try:
        text = (config.read_text().replace(f"port = {server[0]}", f"port = {plain.port}")
                .replace(str(server[2]), str(cert)))
        result = send(write_config(tmp_path / "plain-home", text), to="zoë@example.test")
    finally:
        plain.stop()
    assert_refused(result, f"127.0.0.1:{plain.port} does not take addresses with characters "
                   "other than ASCII (it does not offer SMTPUTF8), and the recipient's address "
                   "has some; use an ASCII address; nothing was sent")
    assert inbox.messages == []


def test_a_login_that_is_not_ascii_is_one_line(project: Path, config: Path,
                                               server: tuple[int, Inbox, Path],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROCHURE_SMTP_PASSWORD", "pässwörd")
    result = send(config)
    assert_refused(result, f"the login name or password for 127.0.0.1:{server[0]} holds "
                   "characters other than ASCII, which an SMTP login cannot carry here; check "
                   f"user in {config} and the password; nothing was sent")


# --- the PDF password without a terminal ------------------------------------------------

@pytest.mark.parametrize("command", ["send", "personalise"])
def test_password_without_a_terminal_is_a_usage_error(project: Path, tmp_path: Path,
                                                      command: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BROCHURE_PDF_PASSWORD"}
    env["PYTHONPATH"] = str(SRC)
    extra = (["--to", TO, "--dry-run", "--out", str(tmp_path / "m.eml")] if command == "send"
             else ["--out", str(tmp_path / "copy.pdf")])
    done = subprocess.run(
        [sys.executable, "-m", "brochure", command, "back-pain", "--patient", PATIENT,
         "--password", *extra], cwd=project, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120, start_new_session=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "error: --password asks for the password on a terminal and there is none here; "
        "set $BROCHURE_PDF_PASSWORD instead\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
