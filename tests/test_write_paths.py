"""Every path is checked when it is used, and no output replaces a file the tool did not write.

Hostile variants of the folders and files a command writes into: output folders that are
links out of the project or files, links and FIFOs where an output or the lock goes,
foreign manifests, --out onto content, configuration or someone else's files, and the
preview server's source view with its file swapped after the link was made.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import CLINIC, minimal_files

import brochure
from brochure.catalogue.session import LOCK_NAME
from brochure.cli import main
from brochure.content.outfile import atomic_write, check_target
from brochure.errors import BuildFailed, OutputError, UsageError

PDF = "back-pain.handout.letter.en.pdf"
FOREIGN_MANIFEST = '{"name": "My web app", "icons": [], "start_url": "/"}\n'
LANGUAGES = CLINIC.replace("  language: en\n", "  language: en\n  languages: [en, es]\n")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


def snapshot(*folders: Path) -> dict[str, object]:
    """Return every entry below ``folders``: a file's bytes, a link's target, a FIFO's kind."""
    seen: dict[str, object] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                seen[str(path)] = ("link", str(path.readlink()))
            elif path.is_fifo():
                seen[str(path)] = "fifo"
            elif path.is_file():
                seen[str(path)] = path.read_bytes()
            else:
                seen[str(path)] = "folder"
    return seen


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the project holding a user's own files."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "manifest.json").write_text(FOREIGN_MANIFEST, "utf-8")
    (folder / "secret.txt").write_text("password=hunter2\n", "utf-8")
    return folder


# --- the build's output folder -------------------------------------------------------


def test_a_dist_that_links_out_of_the_project_is_refused(make_project, outside: Path) -> None:
    root = make_project()
    (root / "dist").symlink_to(outside, target_is_directory=True)
    before = snapshot(root, outside)
    assert run("build") == (1, (
        "error: dist: it is a link that points outside the project, where a build does not "
        "write; make dist a real folder inside the project, or give --out\n"))
    assert snapshot(root, outside) == before


def test_a_dist_that_links_to_a_missing_folder_outside_is_refused(make_project,
                                                                    tmp_path_factory) -> None:
    root = make_project()
    away = tmp_path_factory.mktemp("away") / "not-yet"
    (root / "dist").symlink_to(away, target_is_directory=True)
    code, err = run("build")
    assert code == 1 and err.startswith("error: dist: it is a link that points outside")
    assert not away.exists()


def test_a_dist_that_is_a_file_is_refused(make_project, outside: Path) -> None:
    root = make_project()
    (root / "dist").write_text("my notes\n", "utf-8")
    assert run("build") == (1, "error: dist: it is a file, not a folder; remove it or "
                               "choose another folder\n")
    assert (root / "dist").read_text("utf-8") == "my notes\n"
    (root / "dist").unlink()
    (root / "dist").symlink_to(outside / "secret.txt")
    code, err = run("build")
    assert code == 1 and err.startswith("error: dist: it is a link that points outside")
    assert (outside / "secret.txt").read_text("utf-8") == "password=hunter2\n"


@pytest.mark.parametrize("target", ["handouts", "handouts/topics", ".", "styles"])
def test_a_dist_that_links_into_the_content_is_refused(make_project, target: str) -> None:
    root = make_project({"styles/x.css": "p {}\n"})
    (root / "dist").symlink_to(root / target, target_is_directory=True)
    before = snapshot(root)
    assert run("build") == (1, "error: dist would mix brochures with the content; choose an "
                               "empty folder of its own, such as 'dist'\n")
    assert snapshot(root) == before


@pytest.mark.parametrize("target", ["handouts", "..", "/"])
def test_out_through_a_link_into_the_content_is_refused(make_project, target: str) -> None:
    root = make_project()
    (root / "linked").symlink_to(root / target, target_is_directory=True)
    before = snapshot(root / "handouts")
    assert run("build", "--out", "linked") == (2, (
        "error: --out linked would mix brochures with the content; choose an empty folder "
        "of its own, such as 'dist'\n"))
    assert snapshot(root / "handouts") == before


def test_a_dist_linked_inside_the_project_is_followed(make_project) -> None:
    root = make_project()
    (root / "builds").mkdir()
    (root / "dist").symlink_to("builds", target_is_directory=True)
    assert run("build", "-q") == (0, "")
    assert (root / "builds" / PDF).is_file()


def test_dist_swapped_for_a_link_during_the_build_is_refused_at_the_next_write(
        make_project, outside: Path) -> None:
    neck = (minimal_files()["handouts/conditions/back-pain.yaml"]).replace("back", "neck")
    root = make_project({"handouts/conditions/neck-pain.yaml": neck})
    before = snapshot(outside)

    def swap(progress: Any) -> None:
        if progress.done == 1:  # the first brochure is written: swap the folder
            (root / "dist").rename(root / "dist.old")
            (root / "dist").symlink_to(outside, target_is_directory=True)

    with pytest.raises(OutputError) as refused:
        brochure.build(project=root, jobs=1, on_progress=swap)
    assert str(refused.value).startswith("dist: the folder now leads to ")
    assert str(refused.value).endswith(", outside where this command writes (it was "
                                       "changed, or is a link); make it a real folder and "
                                       "run again")
    assert snapshot(outside) == before  # nothing written there, the manifest untouched
    assert [p.name for p in (root / "dist.old").glob("*.pdf")] in (
        [PDF], ["neck-pain.handout.letter.en.pdf"])


@pytest.mark.parametrize("explicit", [False, True])
def test_a_foreign_manifest_in_the_output_folder_is_refused(make_project, explicit) -> None:
    root = make_project()
    folder = root / ("out" if explicit else "dist")
    folder.mkdir()
    (folder / "manifest.json").write_text(FOREIGN_MANIFEST, "utf-8")
    before = snapshot(root)
    code, err = run("build", *(["--out", "out"] if explicit else []))
    shown = "--out out" if explicit else "dist"
    assert (code, err) == (2 if explicit else 1, (
        f"error: {shown}/manifest.json: brochure did not write this file (it is not a "
        "manifest brochure wrote), so it is not replaced; move it away or choose another "
        "name\n"))
    assert snapshot(root) == before


@pytest.mark.parametrize("text", ["[" * 100_000, "\x00\xff", "", '["format", "tool"]'])
def test_a_manifest_that_is_not_json_of_ours_is_refused(make_project, text: str) -> None:
    root = make_project()
    (root / "dist").mkdir()
    (root / "dist/manifest.json").write_text(text, "utf-8")
    code, err = run("build")
    assert code == 1 and err.startswith("error: dist/manifest.json: brochure did not write")
    assert (root / "dist/manifest.json").read_text("utf-8") == text
    assert not list((root / "dist").glob("*.pdf"))


def test_a_shard_manifest_of_someone_else_is_refused(make_project) -> None:
    root = make_project()
    (root / "dist").mkdir()
    (root / "dist/manifest.1-of-2.json").write_text(FOREIGN_MANIFEST, "utf-8")
    code, err = run("build", "--shard", "1/2")
    assert code == 1 and err.startswith("error: dist/manifest.1-of-2.json: brochure did not")


def test_out_into_a_folder_of_someone_elses_files_is_refused(make_project, outside) -> None:
    make_project()
    (outside / "manifest.json").unlink()
    before = snapshot(outside)
    code, err = run("build", "--out", str(outside))
    assert code == 2
    assert err == (f"error: --out {outside} holds 'secret.txt', which a build did not write; "
                   f"choose an empty folder for the brochures, or move {outside}/secret.txt "
                   "away\n")
    assert snapshot(outside) == before


def test_out_outside_the_project_stays_possible(make_project, tmp_path_factory) -> None:
    make_project()
    away = tmp_path_factory.mktemp("elsewhere") / "check"
    assert run("build", "-q", "--out", str(away)) == (0, "")
    assert sorted(p.name for p in away.iterdir()) == [PDF, "manifest.json"]
    (away / ".DS_Store").write_bytes(b"\0")  # hidden files are never a build's to touch
    assert run("build", "-q", "--force", "--out", str(away)) == (0, "")


@pytest.mark.parametrize("kind", ["link", "folder", "fifo", "text"])
def test_an_output_that_is_not_a_pdf_of_ours_is_not_replaced(make_project, outside: Path,
                                                              kind: str) -> None:
    root = make_project()
    target = root / "dist" / PDF
    target.parent.mkdir()
    if kind == "link":
        target.symlink_to(outside / "secret.txt")
    elif kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.write_text("my thesis, not a PDF\n", "utf-8")
    before = snapshot(root, outside)
    with pytest.raises(BuildFailed) as failed:
        brochure.build(project=root)
    what = {"link": "it is a link, and brochure writes nothing through a link",
            "folder": "it is a folder, not a PDF", "fifo": "it is a named pipe (FIFO), not a PDF",
            "text": "brochure did not write this file (it is not a PDF), so it is not replaced"}
    assert failed.value.result.failed == [
        (PDF, f"dist/{PDF}: {what[kind]}; move it away or choose another name")]
    assert snapshot(root, outside) == before


@pytest.mark.parametrize("kind", ["link", "folder", "fifo", "text"])
def test_a_lock_file_that_is_not_ours_is_refused_naming_it(make_project, outside: Path,
                                                            kind: str) -> None:
    root = make_project()
    lock = root / "dist" / LOCK_NAME
    lock.parent.mkdir()
    if kind == "link":
        lock.symlink_to(outside / "secret.txt")
    elif kind == "folder":
        lock.mkdir()
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.write_text("not a lock\n", "utf-8")
    before = snapshot(root, outside)
    what = {"link": "it is a link, and brochure writes nothing through a link",
            "folder": "it is a folder, not a lock file brochure made",
            "fifo": "it is a named pipe (FIFO), not a lock file brochure made",
            "text": "brochure did not write this file (it is not a lock file brochure made), "
                    "so it is not replaced"}
    assert run("build") == (1, f"error: dist/{LOCK_NAME}: {what[kind]}; remove it, then build "
                               "again\n")
    assert snapshot(root, outside) == before


def test_a_lock_left_by_a_killed_build_is_reused(make_project) -> None:
    root = make_project()
    (root / "dist").mkdir()
    (root / "dist" / LOCK_NAME).write_bytes(b"")  # what SIGKILL leaves: an empty file
    assert run("build", "-q") == (0, "")
    assert not (root / "dist" / LOCK_NAME).exists()


# --- translations export -------------------------------------------------------------


@pytest.mark.parametrize(("out", "message"), [
    ("handouts/topics/intro.yaml", "--out handouts/topics/intro.yaml must end in .po"),
    ("handouts/clinic.yaml", "--out handouts/clinic.yaml must end in .po"),
    ("handouts/topics/es.po", "--out handouts/topics/es.po is inside the project's handouts/, "
     "where it would be mixed with the content; write it somewhere else"),
    ("styles/es.po", "--out styles/es.po is inside the project's styles/, where it would be "
     "mixed with the content; write it somewhere else"),
    ("someone.po", "--out someone.po: brochure did not write this file (it is not a PO file "
     "brochure exported), so it is not replaced; move it away or choose another name"),
    ("linked.po", "--out linked.po: it is a link, and brochure writes nothing through a link; "
     "move it away or choose another name"),
    ("fifo.po", "--out fifo.po: it is a named pipe (FIFO), not a PO file brochure exported; "
     "move it away or choose another name"),
])
def test_translations_export_never_replaces_what_it_did_not_write(
        make_project, outside: Path, out: str, message: str) -> None:
    root = make_project({"handouts/clinic.yaml": LANGUAGES, "styles/x.css": "p {}\n"})
    (root / "someone.po").write_text('msgid ""\nmsgstr "Project-Id-Version: other\\n"\n')
    (root / "linked.po").symlink_to(outside / "secret.txt")
    os.mkfifo(root / "fifo.po")
    before = snapshot(root, outside)
    assert run("translations", "export", "--lang", "es", "--out", out) == (
        2, f"error: {message}\n")
    assert snapshot(root, outside) == before


def test_translations_export_replaces_its_own_file(make_project) -> None:
    root = make_project({"handouts/clinic.yaml": LANGUAGES})
    for _ in range(2):
        assert run("translations", "export", "--lang", "es")[0] == 0
    assert b"Project-Id-Version: brochure content" in (root / "translations.es.po").read_bytes()


def test_the_default_export_file_as_a_link_is_refused(make_project, outside: Path) -> None:
    root = make_project({"handouts/clinic.yaml": LANGUAGES})
    (root / "translations.es.po").symlink_to(outside / "secret.txt")
    assert run("translations", "export", "--lang", "es") == (1, (
        "error: translations.es.po: it is a link, and brochure writes nothing through a "
        "link; move it away or choose another name\n"))
    assert (outside / "secret.txt").read_text("utf-8") == "password=hunter2\n"


# --- manifest merge ------------------------------------------------------------------


def _shard(root: Path) -> Path:
    brochure.build(project=root, shard="1/1")
    return root / "dist" / "manifest.1-of-1.json"


@pytest.mark.parametrize(("out", "message"), [
    ("handouts/clinic.yaml", "--out handouts/clinic.yaml must end in .json"),
    ("smtp.toml", "--out smtp.toml must end in .json"),
    ("handouts/all.json", "--out handouts/all.json is inside the project's handouts/, where "
     "it would be mixed with the content; write it somewhere else"),
    ("package.json", "--out package.json: brochure did not write this file (it is not a "
     "manifest brochure wrote), so it is not replaced; move it away or choose another name"),
    ("linked.json", "--out linked.json: it is a link, and brochure writes nothing through a "
     "link; move it away or choose another name"),
])
def test_manifest_merge_never_replaces_what_it_did_not_write(make_project, outside: Path,
                                                             out: str, message: str) -> None:
    root = make_project()
    shard = _shard(root)
    (root / "smtp.toml").write_text("host = 'mail'\n")
    (root / "package.json").write_text('{"name": "site"}\n')
    (root / "linked.json").symlink_to(outside / "manifest.json")
    before = snapshot(root, outside)
    assert run("manifest", "merge", str(shard), "--out", out) == (2, f"error: {message}\n")
    assert snapshot(root, outside) == before


def test_manifest_merge_replaces_a_manifest_a_build_wrote(make_project) -> None:
    root = make_project()
    shard = _shard(root)
    brochure.build(project=root)
    assert run("manifest", "merge", str(shard)) == (0, "")
    assert set(json.loads((root / "dist/manifest.json").read_text())["outputs"]) == {PDF}


# --- personal copies -----------------------------------------------------------------


@pytest.mark.parametrize(("out", "message"), [
    ("handouts/clinic.yaml", "--out handouts/clinic.yaml must end in .pdf"),
    ("linked.pdf", "--out linked.pdf: it is a link, and brochure writes nothing through a "
     "link; move it away or choose another name"),
    ("notes.pdf", "--out notes.pdf: brochure did not write this file (it is not a PDF), so it "
     "is not replaced; move it away or choose another name"),
])
def test_personalise_never_replaces_what_is_not_a_pdf(make_project, outside: Path, out: str,
                                                      message: str) -> None:
    root = make_project()
    (root / "linked.pdf").symlink_to(outside / "secret.txt")
    (root / "notes.pdf").write_text("my notes\n")
    (root / "folder.pdf").mkdir()
    before = snapshot(root, outside)
    assert run("personalise", "back-pain", "--patient", "Ana", "--out", out) == (
        2, f"error: {message}\n")
    assert snapshot(root, outside) == before


@pytest.mark.parametrize("command", [
    ["personalise", "back-pain", "--patient", "Ana", "--out", "linked/copy.pdf"],
    ["send", "back-pain", "--patient", "Ana", "--to", "a@example.test", "--dry-run", "--out",
     "linked/copy.eml"],
    ["translations", "export", "--lang", "es", "--out", "linked/es.po"],
])
def test_an_out_folder_that_links_into_the_content_is_refused(make_project,
                                                              command: list[str]) -> None:
    root = make_project({"handouts/clinic.yaml": LANGUAGES})
    (root / "linked").symlink_to(root / "handouts/topics", target_is_directory=True)
    before = snapshot(root)
    name = command[-1].split("/")[-1]
    # The folder is shown where it leads (display_path resolves folders, not files).
    assert run(*command) == (2, f"error: --out handouts/topics/{name} is inside the project's "
                                "handouts/, where it would be mixed with the content; write "
                                "it somewhere else\n")
    assert snapshot(root) == before


def test_personalise_onto_a_folder_is_refused_by_the_library_too(make_project) -> None:
    root = make_project()
    (root / "folder.pdf").mkdir()
    with pytest.raises(UsageError) as refused:
        brochure.personalise(project=root, condition="back-pain", patient="Ana",
                             out=root / "folder.pdf")
    assert str(refused.value) == ("--out folder.pdf: it is a folder, not a PDF; move it away "
                                  "or choose another name")


def test_a_dry_run_never_replaces_a_message_it_did_not_write(make_project) -> None:
    root = make_project()
    (root / "mine.eml").write_text("From: me@example.test\nSubject: my draft\n\nHello\n")
    before = snapshot(root)
    assert run("send", "back-pain", "--patient", "Ana", "--to", "a@example.test",
               "--dry-run", "--out", "mine.eml") == (2, (
        "error: --out mine.eml: brochure did not write this file (it is not a message "
        "brochure wrote), so it is not replaced; move it away or choose another name\n"))
    assert snapshot(root) == before


def test_every_command_replaces_its_own_outputs(make_project) -> None:
    root = make_project({"handouts/clinic.yaml": CLINIC.replace(
        "  website: www.test-clinic.test\n",
        "  website: www.test-clinic.test\n  email: hello@test-clinic.test\n")})
    commands = [["build", "-q", "--html", "--force"],
                ["personalise", "back-pain", "--patient", "Ana", "--out", "copy.pdf"],
                ["send", "back-pain", "--patient", "Ana", "--to", "a@example.test",
                 "--dry-run", "--out", "copy.eml"]]
    for command in commands:
        assert run(*command)[0] == 0, command
        first = {p.name: p.stat().st_mtime_ns for p in root.rglob("*")
                 if p.suffix in (".pdf", ".html", ".eml", ".json")}
        assert run(*command)[0] == 0, command
        again = {p.name: p.stat().st_mtime_ns for p in root.rglob("*")
                 if p.suffix in (".pdf", ".html", ".eml", ".json")}
        assert set(again) == set(first)
    assert sorted(p.name for p in (root / "dist").iterdir()) == sorted([
        PDF, PDF.replace(".pdf", ".html"), "manifest.json"])


# --- the one write helper ------------------------------------------------------------


def test_the_write_helper_checks_the_folder_when_it_writes(tmp_path: Path,
                                                           outside: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    within = folder.resolve()
    atomic_write(folder / "a.pdf", b"%PDF-1.7 one", kind="pdf", within=within)
    atomic_write(folder / "a.pdf", b"%PDF-1.7 two", kind="pdf", within=within)
    assert (folder / "a.pdf").read_bytes() == b"%PDF-1.7 two"
    folder.rename(tmp_path / "moved")
    folder.symlink_to(outside, target_is_directory=True)
    for kind, name in (("pdf", "a.pdf"), ("manifest", "manifest.json")):
        with pytest.raises(OutputError, match="the folder now leads to"):
            atomic_write(folder / name, b"{}", kind=kind, within=within)
    with pytest.raises(OutputError, match="the folder now leads to"):
        atomic_write(folder / "new" / "a.pdf", b"%PDF-", kind="pdf", within=within)
    assert not (outside / "new").exists()
    assert (outside / "manifest.json").read_text("utf-8") == FOREIGN_MANIFEST
    assert sorted(p.name for p in outside.iterdir()) == ["manifest.json", "secret.txt"]


@pytest.mark.parametrize(("kind", "name", "theirs", "ours"), [
    ("manifest", "manifest.json", FOREIGN_MANIFEST, '{"format": 1, "tool": "x", "outputs": {}}'),
    ("po", "es.po", 'msgid ""\nmsgstr ""\n', 'msgid ""\nmsgstr "Project-Id-Version: brochure '
     'content\\n"\n'),
    ("translation", "intro.es.yaml", "title: Hola\n", "translation: {source: x}\ntitle: Hola\n"),
    ("html", "a.html", "just text", "<!DOCTYPE html>\n<html lang=\"en\">"),
    ("eml", "a.eml", "From: me\n\nhi\n", "Message-ID: <1@x>\nAuto-Submitted: auto-generated\n"
     "\nhi\n"),
    ("png", "a.png", "GIF89a", "\x89PNG\r\n\x1a\n"),
])
def test_each_kind_replaces_only_its_own_files(tmp_path: Path, kind: str, name: str,
                                               theirs: str, ours: str) -> None:
    within = tmp_path.resolve()
    (tmp_path / name).write_text(theirs, "latin-1")
    with pytest.raises(OutputError, match="brochure did not write this file"):
        atomic_write(tmp_path / name, b"new", kind=kind, within=within)
    assert (tmp_path / name).read_text("latin-1") == theirs
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left
    (tmp_path / name).write_text(ours, "latin-1")
    check_target(tmp_path / name, kind=kind, within=within)
    atomic_write(tmp_path / name, b"new", kind=kind, within=within)
    assert (tmp_path / name).read_bytes() == b"new"


def test_writes_keep_the_usual_mode_and_a_patients_copy_is_private(tmp_path: Path) -> None:
    within = tmp_path.resolve()
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.pdf", b"%PDF-", kind="pdf", within=within)
        atomic_write(tmp_path / "b.pdf", b"%PDF-", kind="pdf", within=within, private=True)
    finally:
        os.umask(umask)
    assert (tmp_path / "a.pdf").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b.pdf").stat().st_mode & 0o777 == 0o600


# --- the preview server's source view ------------------------------------------------


class Client:
    """Call the server's Starlette app in this process through ASGI (no lifespan, no workers)."""

    def __init__(self, root: Path, store: Path) -> None:
        from brochure.serve.app import create_app
        from brochure.serve.builder import Builder

        self.builder = Builder(root, store, workers=1)
        self.app = create_app(self.builder, host="127.0.0.1", should_exit=lambda: False,
                              store=store)

    async def get(self, path: str) -> tuple[int, str]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "headers": [(b"host", b"127.0.0.1")],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
        await self.app(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, body.decode("utf-8")

    def link(self, file: str) -> str:
        from brochure.serve.pages import source_link

        href = source_link(self.builder, file, 3)
        assert href is not None
        return href.split("#")[0]


@pytest.fixture
def served(make_project, tmp_path_factory) -> Client:
    root = make_project()
    return Client(root, tmp_path_factory.mktemp("store"))


def test_a_source_swapped_for_a_link_to_a_secret_is_not_shown(served: Client,
                                                              outside: Path) -> None:
    href = served.link("handouts/topics/intro.yaml")
    status, body = asyncio.run(served.get(href))
    assert status == 200 and "fine, sterile needles" in body
    intro = served.builder.root / "handouts/topics/intro.yaml"
    intro.unlink()
    intro.symlink_to(outside / "secret.txt")
    status, body = asyncio.run(served.get(href))
    assert status == 404
    assert "hunter2" not in body
    assert ("Not shown: it is a link that points outside the folders brochures may read "
            "from; copy the file into the project.") in body


@pytest.mark.parametrize("kind", ["fifo", "folder", "dev-zero"])
def test_a_source_swapped_for_something_not_a_file_is_not_shown(served: Client,
                                                                kind: str) -> None:
    href = served.link("handouts/topics/intro.yaml")
    intro = served.builder.root / "handouts/topics/intro.yaml"
    intro.unlink()
    if kind == "fifo":
        os.mkfifo(intro)
    elif kind == "folder":
        intro.mkdir()
    else:
        intro.symlink_to("/dev/zero")
    started = time.monotonic()
    status, body = asyncio.run(served.get(href))
    assert status == 404 and "Not shown: it is" in body
    assert time.monotonic() - started < 5


def test_links_are_made_only_to_content_files(served: Client, outside: Path) -> None:
    from brochure.serve.pages import source_link

    (served.builder.root / "handouts/topics/away.yaml").symlink_to(outside / "secret.txt")
    for file in ("handouts/topics/away.yaml", str(outside / "secret.txt"), "/etc/passwd",
                 "handouts/../../etc/passwd", "handouts/topics"):
        assert source_link(served.builder, file, 1) is None, file


def test_a_huge_source_is_refused_without_stalling_the_server(served: Client) -> None:
    href = served.link("handouts/topics/intro.yaml")
    intro = served.builder.root / "handouts/topics/intro.yaml"
    with intro.open("r+b") as handle:  # 400 MB, sparse: no disk space needed
        handle.truncate(400 * 1024 * 1024)

    async def main() -> tuple[int, str, float, float]:
        gaps: list[float] = []
        done = asyncio.Event()

        async def tick() -> None:  # how long the event loop goes without running us
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        ticker = asyncio.get_running_loop().create_task(tick())
        started = time.monotonic()
        status, body = await served.get(href)
        took = time.monotonic() - started
        done.set()
        await ticker
        return status, body, took, max(gaps, default=0.0)

    status, body, took, stall = asyncio.run(main())
    assert status == 404
    assert "Not shown: the file is over the 1,048,576-byte limit" in body
    assert took < 2 and stall < 0.25
