"""P8: a personal copy end to end (render, encrypt, send) against a plain build of it."""

from __future__ import annotations

import os
import sys

from cases import Bench
from measure import Result, alternate, median

CONDITION = "back-pain"
NOTE = ("Walk for **10 minutes** twice a day.\n\n- Use heat before the stretches.\n"
        "- Call us if it gets worse.")


def p8_personal(bench: Bench, rounds: int) -> Result:
    """`brochure.send` to a local STARTTLS server / `brochure.build` of the same condition.

    Both in this process, warm, alternated: the send composes the copy with its cover
    line and note, renders it, encrypts it with AES-256, and hands it to a local aiosmtpd
    server over STARTTLS with a login; the build renders the plain handout and writes it
    with its manifest (--force, one job).
    """
    import brochure

    root, tmp = bench.root, bench.tmp
    sys.path.insert(0, str(root))  # the SMTP server the tests start
    from tests.smtpserver import PASSWORD, USER, start

    controller, inbox, cert = start(tmp / "smtp-server")
    settings = tmp / "smtp" / "smtp.toml"
    settings.parent.mkdir(mode=0o700)
    settings.write_text(f'host = "127.0.0.1"\nport = {controller.port}\nuser = "{USER}"\n'
                        f'ca_file = "{cert}"\n', "utf-8")
    settings.chmod(0o600)
    os.environ["BROCHURE_SMTP_PASSWORD"] = PASSWORD
    sizes: dict[str, int] = {}
    options = {"project": root, "condition": CONDITION, "patient": "Bench Patient",
               "note": NOTE, "password": "bench-password", "paper": "letter"}

    def send() -> None:
        sizes["message"] = brochure.send(**options, to="patient@example.test",
                                         smtp_config=settings).bytes

    def personalise() -> None:  # the same copy to a file: no mail server
        sizes["copy"] = brochure.personalise(**options, out=tmp / "personal" / "copy.pdf").bytes

    def plain() -> None:
        result = brochure.build(project=root, conditions=[CONDITION], layout="handout",
                                paper="letter", out=tmp / "plain", force=True, jobs=1)
        sizes["plain"] = result.outputs[0].stat().st_size

    calls = {"send": send, "build": plain, "personalise": personalise}
    try:
        alternate(calls, 1)  # warm-up: imports, fonts, the TLS handshake's code
        samples = alternate(calls, rounds)
    finally:
        controller.stop()
        os.environ.pop("BROCHURE_SMTP_PASSWORD", None)
    sent, built, copy = (median(samples[k]) for k in calls)
    return Result(
        "P8", "personal copy sent (render, encrypt, send) / plain build, one brochure",
        sent / built, "x", 1.2,
        f"send {sent:.3f} s (personalise to a file {copy:.3f} s), build {built:.3f} s; "
        f"message {sizes['message'] / 1024:.0f} KB, encrypted copy {sizes['copy'] / 1024:.0f} "
        f"KB, plain PDF {sizes['plain'] / 1024:.0f} KB",
        details={"condition": CONDITION, "rounds": rounds, "send_median_s": sent,
                 "build_median_s": built, "personalise_median_s": copy,
                 "messages_received": len(inbox.messages), "bytes": sizes,
                 "samples_s": samples},
        note="a local aiosmtpd server with STARTTLS and a login, in this process; the build "
             "is brochure.build(..., force=True, jobs=1), which also writes its manifest")
