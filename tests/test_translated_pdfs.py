"""Spanish and French brochures as a reader gets them: language, interface text, figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests import pdfread
from tests.conftest import ROOT, write_tree

import brochure

# Words that are common in English and are not words of Spanish or French.
ENGLISH = {"the", "and", "you", "your", "with", "is", "are", "this", "that", "we", "can",
           "may", "if", "will", "what", "when", "how", "of", "to", "for", "our", "it"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the back pain handout once in English, Spanish and French."""
    out = tmp_path_factory.mktemp("languages")
    brochure.build(project=ROOT, conditions=["back-pain"], layout="handout", paper="letter",
                   lang=["en", "es", "fr"], out=out, html=True, jobs=1)
    return out


def pdf(built: Path, lang: str) -> Path:
    return built / f"back-pain.handout.letter.{lang}.pdf"


def percentages(text: str) -> list[str]:
    """Return every percentage printed, as '50-75' or '70', whatever the locale's spacing."""
    return sorted(m.replace(" ", "") for m in re.findall(r"(\d+(?: ?- ?\d+)?)\s?%", text))


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_document_language(built: Path, lang: str) -> None:
    reader = PdfReader(pdf(built, lang))
    assert reader.trailer["/Root"]["/Lang"] == lang
    html = (built / f"back-pain.handout.letter.{lang}.html").read_text("utf-8")
    assert f'<html lang="{lang}">' in html
    assert ' lang="en"' not in html  # fully translated: nothing falls back


@pytest.mark.parametrize(("lang", "phrases"), [
    ("es", ["Lo más importante que debe recordar", "Página 1 de", "Página 2 de",
            "¿De dónde viene esta información?",
            "Contenido revisado por última vez en noviembre de 2026."]),
    ("fr", ["L’essentiel à retenir", "Page 1 sur", "Page 2 sur",
            "D’où viennent ces informations ?", "novembre 2026."]),
])
def test_interface_text_is_in_the_language(built: Path, lang: str, phrases: list[str]) -> None:
    text = pdfread.text(pdf(built, lang)).replace("\u202f", " ").replace("\u00a0", " ")
    for phrase in phrases:
        assert phrase in text, phrase
    assert "The one thing to remember" not in text
    assert "Page 1 of" not in text


def test_same_figures_as_english(built: Path) -> None:
    english = percentages(pdfread.text(pdf(built, "en")))
    assert english  # the handout has charts
    for lang in ("es", "fr"):
        text = pdfread.text(pdf(built, lang)).replace("\u202f", " ").replace("\u00a0", " ")
        assert percentages(text) == english, lang
        assert "(555) 010-0199" in text


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_no_english_sentence_is_left(built: Path, lang: str) -> None:
    text = pdfread.text(pdf(built, lang))
    # Addresses and the source's title, quoted as published, are not sentences to translate.
    text = re.sub(r"https?://\S+|«[^»]*»|“[^”]*”", " ", text)
    english = []
    for sentence in re.split(r"(?<=[.!?:])\s+", text):
        words = re.findall(r"[a-z]+", sentence.lower())
        if sum(word in ENGLISH for word in words) >= 2:
            english.append(sentence)
    assert english == []


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_charts_speak_the_language(built: Path, lang: str) -> None:
    html = (built / f"back-pain.handout.letter.{lang}.html").read_text("utf-8")
    titles = re.findall(r"<title>(.*?)</title>", html)
    charts = [t for t in titles if "%" in t]
    assert charts
    start = {"es": "Gráfico de barras, ", "fr": "Graphique à barres, "}[lang]
    assert all(t.startswith(start) for t in charts)


BODY_MAP = {
    "es": ("Silueta de un cuerpo, de frente y de espaldas, con marcas en la parte baja de la "
           "espalda.", ("Delante", "Detrás")),
    "fr": ("Silhouette d’un corps, vue de face et de dos, avec des marques sur le bas du dos.",
           ("De face", "De dos")),
}


def _figure_alts(path: Path) -> list[str]:
    """Return the /Alt of every Figure in the structure tree of the first page."""
    import pdfplumber

    found: list[str] = []
    with pdfplumber.open(path) as document:
        stack = list(document.pages[0].structure_tree)
        while stack:
            node = stack.pop()
            if node.get("type") == "Figure" and node.get("alt_text"):
                found.append(node["alt_text"])
            stack.extend(node.get("children") or [])
    return found


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_the_body_map_speaks_the_language(built: Path, lang: str) -> None:
    alt, labels = BODY_MAP[lang]
    assert alt in _figure_alts(pdf(built, lang))  # back pain marks the lower back
    assert not any(a.startswith("Outline of a body") for a in _figure_alts(pdf(built, lang)))
    lines = _cover_lines(pdf(built, lang))
    assert [line for line in lines if line in labels] == list(labels)
    assert not re.search(r"\b(Front|Back)\b", pdfread.text(pdf(built, lang)))
    assert {"Front", "Back"} <= set(_cover_lines(pdf(built, "en")))  # the labels are seen


def _cover_lines(path: Path) -> list[str]:
    """Return the lines of the cover's text, the body map's labels among them."""
    return [line.strip() for line in (PdfReader(path).pages[0].extract_text() or "").splitlines()]


@pytest.mark.parametrize(("lang", "alt"), [
    ("es", "Silueta de un cuerpo, de frente y de espaldas, con marcas en el cuello, los "
           "hombros, la parte alta de la espalda y las muñecas y las manos."),
    ("fr", "Silhouette d’un corps, vue de face et de dos, avec des marques sur le cou, les "
           "épaules, le haut du dos et les poignets et les mains."),
    ("en", "Outline of a body, seen from the front and the back, with the neck, the "
           "shoulders, the upper back, and the wrists and hands marked."),
])
def test_the_body_maps_list_of_regions_follows_the_language(lang: str, alt: str) -> None:
    from brochure.compose.interface import interface
    from brochure.content.bodymap import alt_text, body_map

    regions = ["neck", "shoulders", "upper-back", "wrists-hands"]
    assert alt_text(regions, interface(lang)) == alt
    assert f"<title>{alt}</title>" in body_map(regions, ui=interface(lang))


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_the_body_map_labels_fit_their_drawing_at_every_size(lang: str) -> None:
    from brochure.compose.interface import interface
    from brochure.content.bodymap import body_map, label_em
    from brochure.content.layouts import layouts

    sizes = [(lay.cover_map_mm, lay.map_label_pt) for lay in layouts().values()] + [(95, 24)]
    for height_mm, label_pt in sizes:  # each layout's cover, and the poster's map
        svg = str(body_map(["knees"], height_mm=height_mm, label_pt=label_pt,
                           ui=interface(lang)))
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg)[1])
        if lang == "en":
            assert width == 224, height_mm  # the English drawing keeps its proportions
        spans = []
        for x, size, label in re.findall(
                r'<text x="([\d.]+)" [^>]*font-size="([\d.]+)"[^>]*>([^<]+)</text>', svg):
            half = label_em(label) * float(size) / 2
            spans.append((float(x) - half, float(x) + half))
        assert len(spans) == 2
        (front_start, front_end), (back_start, back_end) = spans
        # (within the rounding of the numbers the SVG prints)
        assert front_start > -0.05 and back_end < width + 0.05, (height_mm, spans, width)
        assert back_start - front_end > 0, (height_mm, spans)  # never run together


def _struct_langs(path: Path) -> list[tuple[str, str]]:
    """Return (structure type, /Lang) of every structure element that has its own /Lang."""
    root = PdfReader(path).trailer["/Root"]["/StructTreeRoot"].get_object()
    found: list[tuple[str, str]] = []
    stack = [root]
    while stack:
        node = stack.pop().get_object()
        if not hasattr(node, "get"):
            continue
        if "/Lang" in node:
            found.append((str(node["/S"]), str(node["/Lang"])))
        kids = node.get("/K")
        if isinstance(kids, list):
            stack.extend(kids)
        elif kids is not None:
            stack.append(kids)
    return found


def test_fallback_marks_english_parts_in_the_structure_tree(make_project, tmp_path) -> None:
    from tests.test_translations import LANGUAGES, spanish

    root = make_project({"handouts/clinic.yaml": LANGUAGES})
    write_tree(root, spanish(root, skip=("topics/safety",)))
    out = tmp_path / "out"
    result = brochure.build(project=root, layout="handout", paper="letter", lang="es",
                            allow_fallback=True, out=out, html=True, jobs=1)
    assert result.built == ["back-pain.handout.letter.es.pdf"]
    html = (out / "back-pain.handout.letter.es.html").read_text("utf-8")
    assert '<section class="part part-topic" id="safety" lang="en">' in html
    assert '<section class="part part-topic" id="intro">' in html
    path = out / "back-pain.handout.letter.es.pdf"
    assert PdfReader(path).trailer["/Root"]["/Lang"] == "es"
    marked = _struct_langs(path)
    assert ("/Sect", "en") in marked
    assert {lang for _, lang in marked} == {"en"}
    text = pdfread.text(path)
    assert "Is dry needling safe?" in text and "¿Qué es la punción seca?" in text
