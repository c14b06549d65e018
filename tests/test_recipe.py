"""One recipe: build, check and serve hand out and audit the very same bytes of a brochure."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import ROOT, Catalogue

import brochure
from brochure.content.project import load_project
from brochure.recipe.job import Job
from brochure.recipe.select import select
from brochure.serve.worker import CheckRequest, RenderRequest, check_preview, render_preview

LAYOUTS = ("handout", "trifold", "poster", "booklet", "large-print")
CONDITION = "back-pain"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def preview(job: Job, folder: Path) -> tuple[Path, str]:
    """Render ``job`` as a `brochure serve` worker does; return its PDF and its digest."""
    folder.mkdir(parents=True)
    shown = render_preview(ROOT, {}, RenderRequest(job, folder, folder.resolve()))
    pdf = folder / shown.pdf
    assert pdf.name == job.name
    return pdf, sha(pdf.read_bytes())


@pytest.mark.parametrize("language", ["en", "es"])
def test_build_check_and_serve_hand_out_the_same_bytes(catalogue: Catalogue, tmp_path: Path,
                                                       language: str) -> None:
    """For every layout a language is built in: the tri-fold's second layout, the padded
    booklet and its imposed copy included."""
    project = load_project(ROOT)
    layouts = select(project, languages=[language]).layouts[language]
    assert set(layouts) == ({*LAYOUTS} if language == "en" else
                            {"handout", "booklet", "large-print"})
    built = {job.name: sha(catalogue.pdfs[job.name].read_bytes())
             for job in select(project, conditions=[CONDITION], languages=[language],
                               paper="default").jobs}
    assert len(built) == len(layouts)
    checked = brochure.check(project=ROOT, conditions=[CONDITION], lang=language)
    (report,) = checked.reports
    assert report.audited == built
    for name, digest in built.items():
        job = next(j for j in select(project, conditions=[CONDITION], languages=[language],
                                     paper="default").jobs if j.name == name)
        pdf, shown = preview(job, tmp_path / job.layout)
        assert shown == digest, f"serve's preview of {name} is not the built file"
        if job.layout == "booklet":  # padded to whole sheets, its imposed copy with it
            assert len(PdfReader(pdf).pages) % 4 == 0
            imposed = name.replace(".pdf", ".imposed.pdf")
            assert sha((pdf.parent / imposed).read_bytes()) == \
                sha((catalogue.out / imposed).read_bytes())
        if job.layout == layouts[0]:  # serve's findings panel audits the preview's own file
            found = check_preview(ROOT, CheckRequest(job, pdf, (), dt.date(2026, 12, 6)))
            assert found.audited == {name: digest}


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_check_print_shop_passes_and_reads_the_files_build_print_shop_writes(
        tmp_path: Path, paper: str) -> None:
    """`brochure check --print-shop` passes on the shipped content for every layout and
    paper; on Letter, what it read back is compared with what `build --print-shop` writes
    (the office files are compared for every layout above)."""
    checked = brochure.check(project=ROOT, conditions=[CONDITION], layout="all", paper=paper,
                             print_shop=True, lang="en")
    (report,) = checked.reports
    press = {n: d for n, d in report.audited.items() if n.endswith(".print-shop.pdf")}
    assert sorted(press) == sorted(f"{CONDITION}.{lay}.{paper}.en.print-shop.pdf"
                                   for lay in LAYOUTS)
    errors = [f for f in report.findings if f.severity == "error"]
    assert errors == []
    if paper == "letter":
        result = brochure.build(project=ROOT, out=tmp_path / "press", conditions=[CONDITION],
                                layout="all", paper=paper, print_shop=True, lang="en", jobs=2)
        assert {p.name: sha(p.read_bytes()) for p in result.outputs} == press


def test_the_spanish_preview_is_spanish(tmp_path: Path) -> None:
    """Its pages, its download and its findings are those of the Spanish brochure."""
    job = Job(CONDITION, "handout", "letter", "es")
    pdf, _ = preview(job, tmp_path / "es")
    assert pdf.name == "back-pain.handout.letter.es.pdf"
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "Punción seca para el dolor de espalda" in text
    assert "Dry needling for back pain" not in text
    found = check_preview(ROOT, CheckRequest(job, pdf, (), dt.date(2026, 12, 6)))
    assert found.title == "Punción seca para el dolor de espalda"
    assert found.file == "handouts/conditions/back-pain.es.yaml"
    assert "fk_grade" not in found.readability  # the Spanish formula, not Flesch-Kincaid
    assert found.readability["formula"]
