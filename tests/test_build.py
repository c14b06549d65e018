"""End-to-end builds, checked by reading the PDF back as a reader would get it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.pdfread import fonts, text

import brochure
from brochure.errors import BuildFailed, UsageError


@pytest.fixture
def built(make_project) -> tuple[Path, brochure.BuildResult]:
    root = make_project()
    return root, brochure.build(project=root, html=True)


def test_one_pdf_per_condition_with_the_documented_name(built) -> None:
    root, result = built
    assert result.outputs == [root / "dist" / "back-pain.handout.letter.en.pdf"]
    assert result.html == [root / "dist" / "back-pain.handout.letter.en.html"]
    assert sorted(p.name for p in (root / "dist").iterdir()) == [
        "back-pain.handout.letter.en.html", "back-pain.handout.letter.en.pdf", "manifest.json"]


def test_letter_page_size_and_metadata(built) -> None:
    _, result = built
    reader = PdfReader(result.outputs[0])
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Dry needling for back pain"
    assert meta.author == "Test Clinic"
    assert meta.subject == "Dry needling may ease your back pain as part of your care."
    assert meta["/Keywords"] == "Dry needling for back pain, patient handout"
    # The date is the newest review date of the content, never the clock.
    assert meta["/CreationDate"] == "D:20261001"


def test_tagged_with_language(built) -> None:
    _, result = built
    root = PdfReader(result.outputs[0]).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"] in (True, "true")


def test_chart_has_alt_text_in_the_structure_tree(built) -> None:
    _, result = built
    reader = PdfReader(result.outputs[0])
    alts: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            if isinstance(kids, list):
                for kid in kids:
                    walk(kid)
            elif kids is not None:
                walk(kids)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert ("Bar chart, Pain relief reported. Chronic low back pain: 50 to 75% (about half "
            "to three in four); Back pain: 70% (about seven in ten).") in alts


def test_fonts_are_the_packaged_font_embedded_and_subset(built) -> None:
    _, result = built
    found = fonts(result.outputs[0])
    assert found, "no fonts found"
    for name, embedded in found:
        assert embedded, name
        assert "Atkinson-Hyperlegible" in name, name
        assert name[7] == "+", f"{name} is not a subset"


def test_text_in_reading_order(built) -> None:
    _, result = built
    content = text(result.outputs[0])
    order = [
        "Test Clinic",
        "Dry needling for back pain",
        "The one thing to remember",
        "What is back pain?",
        "What is dry needling?",
        "fine, sterile needles",
        "1 We talk with you.",
        "Drink water.",
        "Source: Test article.",
        "Is dry needling safe?",
        "Side effect How often How bad",
        "When should I call you?",
        "Call (555) 010-0000",
        "This handout does not replace advice from your own doctor.",
    ]
    positions = [content.find(phrase) for phrase in order]
    assert all(p >= 0 for p in positions), [o for o, p in zip(order, positions, strict=True)
                                            if p < 0]
    assert positions == sorted(positions)
    assert "Page 1 of 3" in content
    # The chart's SVG text is painted after the page's flowing text, so it is checked for
    # presence only; screen readers get it in order from the Figure's alt text.
    for phrase in ("Chronic low back pain", "50-75%", "about half to three in four", "70%"):
        assert phrase in content


def test_footer_on_every_page(built) -> None:
    _, result = built
    reader = PdfReader(result.outputs[0])
    count = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert f"Page {number} of {count}" in page_text
        assert "Test Clinic" in page_text and "(555) 010-0000" in page_text


def test_second_build_is_byte_identical(built) -> None:
    root, result = built
    first = result.outputs[0].read_bytes()
    again = brochure.build(project=root, out=root / "again")
    assert again.outputs[0].read_bytes() == first


def test_a4_paper(make_project) -> None:
    root = make_project()
    result = brochure.build(project=root, paper="a4")
    assert result.outputs[0].name == "back-pain.handout.a4.en.pdf"
    page = PdfReader(result.outputs[0]).pages[0]
    assert round(float(page.mediabox.width)) == 595
    assert round(float(page.mediabox.height)) == 842


def test_topics_override_keeps_order(make_project) -> None:
    root = make_project()
    result = brochure.build(project=root, topics=["safety", "intro"])
    content = text(result.outputs[0])
    assert content.find("Is dry needling safe?") < content.find("What is dry needling?")


def test_topics_override_cannot_drop_safety(make_project) -> None:
    root = make_project()
    with pytest.raises(UsageError, match="--topics must include the 'safety' topic"):
        brochure.build(project=root, topics=["intro"])


def test_no_partial_file_when_writing_fails_halfway(make_project, monkeypatch) -> None:
    """The PDF is rendered and being written when the disk fails: nothing half-written stays."""
    root = make_project()
    brochure.build(project=root)
    target = root / "dist" / "back-pain.handout.letter.en.pdf"
    good = target.read_bytes()
    seen: list[int] = []

    def full_disk(fd: int) -> None:
        seen.append(os.fstat(fd).st_size)  # the bytes are in the temporary file by now
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", full_disk)
    with pytest.raises(BuildFailed) as failed:
        brochure.build(project=root, force=True)
    assert seen and seen[0] > 1000
    assert failed.value.result.failed == [(
        target.name, "dist/back-pain.handout.letter.en.pdf: cannot write the file: "
        "No space left on device")]
    assert target.read_bytes() == good
    assert sorted(p.name for p in (root / "dist").iterdir()) == [target.name, "manifest.json"]


def test_out_may_not_be_the_content(make_project) -> None:
    root = make_project()
    for bad in (root, root / "handouts"):
        with pytest.raises(UsageError, match="would mix brochures with the content"):
            brochure.build(project=root, out=bad)


def test_each_project_gets_its_own_templates_after_the_working_folder_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import minimal_files, write_tree

    # The first project has a templates/ folder but uses the package's handout template;
    # the second, at the same relative path ".", has a handout template of its own.
    own = ("{% extends 'base.html.j2' %}{% block body %}<p>Template of the second "
           "project.</p>{% endblock %}")
    made = []
    for name, extra in (("first", {"templates/message.txt.j2": "Subject: Hi\n\nHello\n"}),
                        ("second", {"templates/handout.html.j2": own})):
        root = write_tree(tmp_path / name, {**minimal_files(), **extra})
        monkeypatch.chdir(root)
        [pdf] = brochure.build(project=".").outputs
        made.append(" ".join(text(root / pdf).split()))
    assert "Template of the second project." not in made[0]
    assert "Template of the second project." in made[1]
