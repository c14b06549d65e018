"""Nothing is read from outside the project, nothing goes to the network, nothing is lost."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import INTRO, ROOT
from tests.pdfread import text

import brochure
from brochure.errors import BuildFailed, ContentError
from brochure.render.fetch import check_url

HOSTNAME = Path("/etc/hostname")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make any socket connection attempt fail the test (and record it)."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    return attempts


def test_network_urls_are_refused_without_a_connection(make_project, no_network) -> None:
    root = make_project({"styles/handout.css": (
        "@font-face { font-family: X; src: url(https://fonts.example.com/x.woff2); }\n"
        ".cover { background: url(http://tracker.example.com/pixel.png); }\n")})
    with pytest.raises(BuildFailed) as info:
        brochure.build(project=root)
    [(_, reason)] = info.value.result.failed
    assert reason.startswith(
        "styles/handout.css:1:35: refused to load 'https://fonts.example.com/x.woff2': "
        "brochures never load anything from the network")
    assert reason.endswith("(and 1 more)")
    assert no_network == []


def test_content_cannot_pull_in_a_local_file(make_project, no_network) -> None:
    hostname = HOSTNAME.read_text().strip()
    assert hostname, "this test needs a non-empty /etc/hostname"
    hostile = INTRO.replace(
        "Dry needling uses **fine, sterile needles**.",
        "Dry needling uses ![x](/etc/hostname) and [see](file:///etc/hostname) and "
        "<img src=file:///etc/hostname> <script>alert(1)</script> <style>p{}</style> "
        "<link rel=attachment href=/etc/hostname> [x](javascript:alert(1)).",
    )
    root = make_project({"handouts/topics/intro.yaml": hostile})
    result = brochure.build(project=root, html=True)
    content = text(result.outputs[0])
    assert hostname not in content.replace("/etc/hostname", "")
    # shown as the text it is (a line may break inside it, so spaces are ignored)
    assert "<script>alert(1)</script>" in content.replace(" ", "")
    html = result.html[0].read_text()
    assert "<script>" not in html and "<img src=file" not in html and "<link rel" not in html
    assert 'href="javascript' not in html and 'href="file:' not in html
    reader = PdfReader(result.outputs[0])
    names = reader.trailer["/Root"].get("/Names", {})
    assert "/EmbeddedFiles" not in names


def test_symlink_out_of_the_project_is_refused(make_project) -> None:
    root = make_project({"styles/handout.css": ".cover { background: url(../assets/a.png); }\n"})
    (root / "assets").mkdir()
    (root / "assets" / "a.png").symlink_to(HOSTNAME)
    with pytest.raises(ContentError) as info:
        brochure.build(project=root)
    assert [str(p) for p in info.value.problems] == [
        "assets/a.png:1:1: it is a link that points outside the folders brochures may read "
        "from; copy the file into the project"]
    assert not (root / "dist").exists() or not list((root / "dist").glob("*.pdf"))
    # The renderer's URL fetcher refuses it too, for a file the build did not walk.
    path, reason = check_url((root / "assets/a.png").as_uri(), ((root / "assets").resolve(),))
    assert path is None
    assert reason is not None and reason.startswith("it points outside")


def test_a_file_inside_assets_may_be_used(make_project) -> None:
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
           b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe"
           b"\xa7V\x8f\x0b\x00\x00\x00\x00IEND\xaeB`\x82")
    root = make_project({"styles/handout.css": ".cover { background: url(../assets/dot.png); }\n",
                         "assets/dot.png": png})
    assert brochure.build(project=root).outputs


def _valid_pdf(path: Path) -> bool:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return False
    return len(PdfReader(path).pages) > 0


def test_sigkill_mid_batch_leaves_no_partial_pdf(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "brochure", "build", "--project", str(ROOT),
               "--out", str(out), "--layout", "handout", "--paper", "letter", "--lang", "en",
               "--jobs", "2"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first finished brochure
    assert re.match(rb"\[ ?\d+/14\] built ", first), first
    time.sleep(0.3)  # kill in the middle of a later one
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    pdfs = sorted(out.glob("*.pdf"))
    assert pdfs, "nothing was written before the kill"
    assert len(pdfs) < 14, "the build finished before it was killed"
    for pdf in pdfs:
        assert _valid_pdf(pdf), f"{pdf.name} is incomplete"
    rerun = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert len(list(out.glob("*.pdf"))) == 14
    # The brochures finished before the kill are not built again.
    assert re.search(r"^\d+ built, [1-9]\d* unchanged, 0 failed", rerun.stdout, re.M)
    assert len(json.loads((out / "manifest.json").read_text())["outputs"]) == 14
    assert list(out.glob(".*")) == [], "temporary files were left behind"
    for pdf in out.glob("*.pdf"):
        assert _valid_pdf(pdf)
