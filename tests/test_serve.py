"""`brochure serve` end to end: a real server in a temporary project, driven by headless Chromium.

The server runs as its own process, as a user starts it, on a free port; the browser is
Debian's chromium through chromedriver (Selenium), nothing mocked.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from brochure.cli import main
from conftest import ROOT, minimal_files, write_tree

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WAIT = 90  # seconds: an upper bound for a render on a busy machine, not a timing
BACK_PAIN, NECK_PAIN = "back-pain.handout.letter.en", "neck-pain.handout.letter.en"
NECK = """\
title: Dry needling for neck pain
key_message: Dry needling may ease your neck pain as part of your care.
reviewed: {on: 2026-08-01, by: Physiotherapist}
sections:
  - title: What is neck pain?
    blocks:
      - kind: text
        text: Neck pain is very common. It often gets better in a few weeks.
topics: [safety]
"""


def small_project(root: Path) -> Path:
    """Write a two-brochure project: back pain (intro and safety) and neck pain (safety only)."""
    return write_tree(root, {**minimal_files(), "handouts/conditions/neck-pain.yaml": NECK})


class Server:
    """A `brochure serve` process started the way a user starts it, on a free port."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self.root, self.tmp = root, tmp
        tmp.mkdir(exist_ok=True)
        env = {**os.environ, "TMPDIR": str(tmp)}
        env.pop("BROCHURE_DEBUG", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "brochure", "serve", "--project", ".", "--port", "0"],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        match = re.fullmatch(r"serving (http://127\.0\.0\.1:(\d+)/) \(press Ctrl-C to stop\)\n",
                             first)
        assert match, (first, self.process.stderr.read() if self.process.stderr else "")
        self.url, self.port = match[1], int(match[2])

    def ctrl_c(self) -> tuple[int, str, str]:
        """Press Ctrl-C as a terminal does (SIGINT to the whole process group); wait for it."""
        os.killpg(self.process.pid, signal.SIGINT)
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, out, err

    def left_over(self) -> list[str]:
        """Return the processes still running in the server's session (its workers)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[3]) == self.process.pid:
                found.append(stat.parent.name)
        return found


def raw_get(port: int, path: str, host: str | None = None,
            method: str = "GET") -> tuple[int, bytes]:
    """Send a request exactly as written (no client normalises the path)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def server(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(project, tmp_path_factory.mktemp("tmp"))
    yield running
    if running.process.poll() is None:
        running.ctrl_c()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1200,800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()


# What the open page shows, read in one go (the page replaces its parts as it updates).
SNAPSHOT = """
const text = (e) => e ? e.innerText : null;
const cells = (sel) => [...document.querySelectorAll(sel)].map(
  (tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()));
const overlay = document.getElementById('overlay');
return {
  rows: cells('#brochures tbody tr'),
  links: [...document.querySelectorAll('#brochures a')].map((a) => a.href),
  images: [...document.querySelectorAll('.pages img')].map((i) => ({
    src: i.src, width: i.width && +i.getAttribute('width'),
    height: +i.getAttribute('height'), natural: i.complete ? i.naturalWidth : 0})),
  download: (document.querySelector('a.download') || {}).href || null,
  sections: cells('#sections tbody tr'),
  section_links: [...document.querySelectorAll('#sections a')].map((a) => a.href),
  findings: [...document.querySelectorAll('#findings li')].map((li) => li.innerText),
  overlay: overlay ? overlay.querySelector('pre').innerText : null,
  overlay_links: overlay ? [...overlay.querySelectorAll('a')].map((a) => a.href) : [],
  checked: !!(document.getElementById('findings') || document.getElementById('sections')),
};
"""


def page(driver: webdriver.Chrome) -> dict[str, Any]:
    shown: dict[str, Any] = driver.execute_script(SNAPSHOT)
    return shown


def wait_for(driver: webdriver.Chrome, check: Callable[[dict[str, Any]], Any], what: str) -> Any:
    """Wait until ``check`` of what the page shows is true; return what it shows then."""
    seen: dict[str, Any] = {}

    def ready(d: webdriver.Chrome) -> bool:
        seen.update(page(d))
        return bool(check(seen))

    WebDriverWait(driver, WAIT, poll_frequency=0.1).until(ready, message=what)
    return seen


def build_of(shown: dict[str, Any]) -> int | None:
    """Return the build the preview shows (its PDF's address names it)."""
    if not shown["download"]:
        return None
    return int(urlsplit(shown["download"]).path.split("/")[3])


def open_preview(browser: webdriver.Chrome, server: Server, key: str) -> dict[str, Any]:
    browser.get(f"{server.url}b/{key}")
    return wait_for(browser, lambda p: p["checked"] and p["images"],
                    "the preview with its check results")


def test_index_lists_every_brochure_with_its_check_status(server: Server,
                                                          browser: webdriver.Chrome) -> None:
    browser.get(server.url)
    # The page fills in by itself (server-sent events) as renders and checks finish.
    shown = wait_for(browser, lambda p: p["rows"] and all(r[4] == "ready" and r[7]
                                                          for r in p["rows"]),
                     "every brochure rendered and checked")
    assert [r[:5] for r in shown["rows"]] == [
        ["Dry needling for back pain", "handout", "letter", "en", "ready"],
        ["Dry needling for neck pain", "handout", "letter", "en", "ready"],
    ]
    for row in shown["rows"]:
        assert row[5].isdigit() and row[6].isdigit()  # errors and warnings, counted
        assert 0 < float(row[7]) <= 7  # the reading grade
    assert shown["links"] == [f"{server.url}b/{BACK_PAIN}", f"{server.url}b/{NECK_PAIN}"]


def test_preview_shows_page_images_download_and_findings(server: Server,
                                                         browser: webdriver.Chrome) -> None:
    shown = open_preview(browser, server, BACK_PAIN)
    shown = wait_for(browser, lambda p: all(i["natural"] for i in p["images"]),
                     "the page images to load")
    with urlopen(shown["download"]) as response:
        assert response.headers["Content-Disposition"] == \
            f'attachment; filename="{BACK_PAIN}.pdf"'
        pdf = PdfReader(io.BytesIO(response.read()))
    # One image per page of the PDF a reader would download, each at the page's proportions.
    images = shown["images"]
    assert len(images) == len(pdf.pages) >= 2
    assert all(i["natural"] > 500 for i in images)
    first = pdf.pages[0].mediabox
    assert abs(images[0]["width"] / images[0]["height"]
               - float(first.width) / float(first.height)) < 0.01
    assert "Dry needling for back pain" in pdf.pages[0].extract_text()
    # Reading grade per section, each section linking to its line in the content.
    assert [row[0] for row in shown["sections"]] == [
        "What is back pain?", "What is dry needling?", "Is dry needling safe?"]
    assert all(0 < float(row[1]) <= 7 for row in shown["sections"])
    link = shown["section_links"][0]
    assert re.fullmatch(rf"{server.url}source/[0-9a-f]{{16}}#L\d+", link)
    browser.get(link)
    line = browser.find_element(By.CSS_SELECTOR, f"tr#{urlsplit(link).fragment}").text
    assert "What is back pain?" in line


def test_editing_a_topic_updates_the_open_page_and_only_its_brochures(
        server: Server, browser: webdriver.Chrome, project: Path) -> None:
    with urlopen(f"{server.url}b/{NECK_PAIN}") as response:
        neck_before = re.findall(rb"/b/neck-pain[^/]+/(\d+)/download", response.read())
    before = build_of(open_preview(browser, server, BACK_PAIN))
    browser.execute_script("window.scrollTo(0, 400)")
    topic = project / "handouts/topics/intro.yaml"
    topic.write_text(topic.read_text("utf-8").replace(
        "title: What is dry needling?", "title: How does dry needling work?"), "utf-8")

    wait_for(browser, lambda p: build_of(p) != before and "How does dry needling work?"
             in [row[0] for row in p["sections"]], "the open page to show the edited topic")
    assert browser.execute_script("return window.scrollY") == 400  # where the reader was
    with urlopen(f"{server.url}b/{NECK_PAIN}") as response:
        neck_after = re.findall(rb"/b/neck-pain[^/]+/(\d+)/download", response.read())
    assert neck_before and neck_after == neck_before  # neck pain does not include the topic


def test_broken_file_shows_the_cli_messages_and_the_page_recovers(
        server: Server, browser: webdriver.Chrome, project: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    open_preview(browser, server, BACK_PAIN)
    condition = project / "handouts/conditions/back-pain.yaml"
    good = condition.read_text("utf-8")
    condition.write_text(good.replace("sections:", "colour: blue\nsections:"), "utf-8")
    monkeypatch.chdir(project)
    cli = CliRunner().invoke(main, ["list"])
    assert cli.exit_code == 1
    expected = cli.output.splitlines()
    assert expected[0].startswith("handouts/conditions/back-pain.yaml:4:1: colour: ")

    shown = wait_for(browser, lambda p: p["overlay"], "the error overlay")
    assert shown["overlay"].splitlines() == expected
    assert shown["overlay_links"][0].startswith(f"{server.url}source/")
    assert shown["overlay_links"][0].endswith("#L4")

    condition.write_text(good, "utf-8")
    shown = wait_for(browser, lambda p: p["overlay"] is None, "the overlay to clear")
    assert shown["images"]
    assert raw_get(server.port, "/")[0] == 200  # the server lives on


def test_a_brochure_that_fails_to_render_shows_the_build_message(
        server: Server, browser: webdriver.Chrome, project: Path,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    open_preview(browser, server, BACK_PAIN)
    # A new styles/ folder with a stylesheet that asks for a file from the network.
    sheet = (ROOT / "styles" / "handout.css").read_text("utf-8")
    write_tree(project, {"styles/handout.css": sheet + 'body { background-image: '
                                                       'url("https://example.com/bg.png"); }\n'})
    monkeypatch.chdir(project)
    cli = CliRunner().invoke(main, ["build", "back-pain", "--out", str(tmp_path), "-q"])
    assert cli.exit_code == 1
    expected = cli.output.splitlines()[0]
    assert expected.startswith(f"error: {BACK_PAIN}.pdf: styles/handout.css:")

    shown = wait_for(browser, lambda p: p["overlay"], "the render error overlay")
    assert shown["overlay"].splitlines() == [expected]
    assert shown["overlay_links"][0].startswith(f"{server.url}source/")

    shutil.rmtree(project / "styles")
    wait_for(browser, lambda p: p["overlay"] is None and p["images"],
                     "the brochure to render again")


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/b/../../etc/passwd", "/b/..%2F..%2Fetc%2Fpasswd",
    "/source/..%2F..%2Fetc%2Fpasswd", f"/b/{BACK_PAIN}/1/..%2F..%2F..%2Fetc%2Fpasswd",
    "/source/%2Fetc%2Fpasswd", "//etc/passwd", f"/b/{BACK_PAIN}/page/..%2F..%2Fetc%2Fpasswd.png",
])
def test_paths_outside_the_previews_are_refused(server: Server, path: str) -> None:
    status, body = raw_get(server.port, path)
    assert status == 404
    assert b"root:" not in body


def test_a_foreign_host_header_is_refused(server: Server) -> None:
    # DNS rebinding: a page on another site whose name now points at 127.0.0.1.
    assert raw_get(server.port, "/", host="attacker.example")[0] == 400
    assert raw_get(server.port, "/events", host=f"attacker.example:{server.port}")[0] == 400
    assert raw_get(server.port, "/", host=f"localhost:{server.port}")[0] == 200


def test_nothing_can_be_written(server: Server) -> None:
    for method in ("POST", "PUT", "DELETE"):
        assert raw_get(server.port, "/", method=method)[0] == 405


def test_ctrl_c_stops_the_server_its_workers_and_its_files(tmp_path: Path) -> None:
    running = Server(small_project(tmp_path / "project"), tmp_path / "tmp")
    with urlopen(running.url) as response:  # renders are under way: workers are running
        assert b"Dry needling for back pain" in response.read()
    # A browser's open event stream must not hold the server up.
    stream = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
    stream.request("GET", "/events")
    events = stream.getresponse()
    assert events.status == 200
    assert events.getheader("Content-Type", "").startswith("text/event-stream")
    assert events.readline() == b"retry: 500\n"
    code, out, err = running.ctrl_c()
    stream.close()
    assert code == 0, err
    assert out.splitlines()[-1] == "stopped"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert list((tmp_path / "tmp").iterdir()) == []  # the previews and the fonts' copies
    deadline = time.monotonic() + 10
    while running.left_over() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running.left_over() == []


def test_a_port_in_use_is_a_usage_error(make_project) -> None:
    make_project()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output == (f"error: cannot listen on 127.0.0.1:{port}: Address already in "
                             "use; choose another --port (0 picks a free one)\n")


def test_missing_extra_is_one_line(make_project, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    make_project()
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("starlette", "uvicorn") else real(name))
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert result.output == ("error: 'brochure serve' needs packages that are not installed "
                             "(starlette, uvicorn); install them with: "
                             "pip install 'brochure[serve]'\n")


def test_a_folder_without_content_is_a_usage_error(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert result.output == ("error: no 'handouts' folder in .; run the command in a brochure "
                             "project or pass --project DIR\n")
