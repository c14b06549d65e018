"""Translation files: validation, coverage and stale reports, PO export and import, readability."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import CLINIC, CONDITION, INTRO, ROOT, SAFETY

from brochure.checks.readability_i18n import analyse, syllables
from brochure.cli import main
from brochure.content.project import load_project
from brochure.errors import ContentError

LANGUAGES = CLINIC.replace("  language: en\n", "  language: en\n  languages: [en, es]\n")

INTRO_ES = """\
title: ¿Qué es la punción seca?
key_message: La punción seca usa agujas finas para relajar los puntos tensos de sus músculos.
reviewed: {on: 2026-09-15, by: Fisioterapeuta}
sources:
  - id: article
    title: Test article
blocks:
  - kind: text
    text: |
      La punción seca usa **agujas finas y estériles**.

      - Se dirige a los puntos gatillo.
      - Puede aliviar el dolor.
  - kind: steps
    heading: ¿Qué pasa en una visita?
    items: [Hablamos con usted., Buscamos los puntos tensos., Colocamos las agujas.]
  - kind: checklist
    heading: ¿Qué debo hacer después?
    items: [Beba agua., Descanse un día.]
  - kind: figures
    heading: ¿Qué resultados se han publicado?
    measure: Alivio del dolor publicado
    items:
      - {label: Dolor crónico de espalda baja, low: 50, high: 75, source: article,
         words: de la mitad a tres de cada cuatro}
      - {label: Dolor de espalda, low: 70, words: unas siete de cada diez, source: article}
"""

SAFETY_ES = """\
title: ¿Es segura la punción seca?
key_message: La punción seca es segura para la mayoría si la hace una persona formada.
reviewed: {on: 2026-10-01, by: Fisioterapeuta}
sources:
  - id: article
    title: Test article
blocks:
  - kind: table
    heading: ¿Qué efectos secundarios puede haber?
    header: [Efecto, Frecuencia, Gravedad]
    rows:
      - [Dolor, Frecuente, Leve]
      - [Sangrado, Raro, Leve]
  - kind: callout
    tone: call-us
    title: ¿Cuándo debo llamarles?
    text: Llámenos si el dolor empeora después de dos días.
    general_guidance: true
  - kind: checklist
    role: contraindications
    heading: Antes de su primera sesión
    intro: "Díganos antes de la punción si usted:"
    items: [toma anticoagulantes, está embarazada]
    general_guidance: true
"""

CONDITION_ES = """\
title: Punción seca para el dolor de espalda
key_message: La punción seca puede aliviar su dolor de espalda como parte de su tratamiento.
reviewed: {on: 2026-08-01, by: Fisioterapeuta}
sections:
  - title: ¿Qué es el dolor de espalda?
    blocks:
      - kind: text
        text: El dolor de espalda es muy común.
      - {kind: callout, tone: urgent, title: ¿Urgente?, general_guidance: true,
         text: Busque ayuda ahora.}
topics: [intro, safety]
"""

CLINIC_ES = """\
disclaimer: Este folleto no sustituye los consejos de su propio médico.
locations: {}
emergency_words: ambulancia
after_hours: Cuando estemos cerrados, llame a su médico.
"""


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _clinic_hash(root: Path) -> str:
    from brochure.content.translate import clinic_hash

    return clinic_hash(load_project(root).clinic)


def spanish(root: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Return Spanish files recording the hashes of the files they translate."""
    files = {"topics/intro": (INTRO, INTRO_ES), "topics/safety": (SAFETY, SAFETY_ES),
             "conditions/back-pain": (CONDITION, CONDITION_ES)}
    out = {f"handouts/{name}.es.yaml":
           f"translation: {{source: '{_hash(source)}', reviewed: null}}\n{text}"
           for name, (source, text) in files.items() if name not in skip}
    if "clinic" not in skip:
        out["handouts/clinic.es.yaml"] = (f"translation: {{source: '{_clinic_hash(root)}', "
                                          f"reviewed: null}}\n{CLINIC_ES}")
    return out


@pytest.fixture
def es_project(make_project, tmp_path: Path):
    """Return a project in English and Spanish, every file translated."""
    root = make_project({"handouts/clinic.yaml": LANGUAGES})
    return make_project({"handouts/clinic.yaml": LANGUAGES, **spanish(root)})


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_translation_files_load_with_their_own_model(es_project: Path) -> None:
    project = load_project(es_project)
    es = project.translated["es"]
    assert sorted(es.topics) == ["intro", "safety"]
    assert es.conditions["back-pain"].model.title == "Punción seca para el dolor de espalda"
    assert es.clinic is not None
    assert project.languages == ["en", "es"]


def test_broken_translation_file_names_file_and_line(es_project: Path) -> None:
    broken = (es_project / "handouts/topics/intro.es.yaml").read_text("utf-8").replace(
        "key_message:", "key_mesage:")
    (es_project / "handouts/topics/intro.es.yaml").write_text(broken, "utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(es_project)
    assert caught.value.lines() == [
        "handouts/topics/intro.es.yaml:1:1: missing required key 'key_message'",
        "handouts/topics/intro.es.yaml:3:1: key_mesage: unknown key 'key_mesage' (did you "
        "mean 'key_message'?)",
        "2 problems found in the content",
    ]


def test_unknown_language_code_is_refused_with_a_suggestion(es_project: Path) -> None:
    (es_project / "handouts/topics/intro.sp.yaml").write_text(INTRO_ES, "utf-8")
    (es_project / "handouts/topics/intro.xq.yaml").write_text(INTRO_ES, "utf-8")
    code, _, err = run("list")
    assert code == 1
    assert err.splitlines() == [
        "handouts/topics/intro.sp.yaml:1:1: unknown language code 'sp' (did you mean 'es'?); "
        "use a two-letter ISO 639-1 code such as 'en', 'es' or 'fr' (optionally with a "
        "region: 'pt-BR')",
        "handouts/topics/intro.xq.yaml:1:1: unknown language code 'xq'; use a two-letter ISO "
        "639-1 code such as 'en', 'es' or 'fr' (optionally with a region: 'pt-BR')",
        "2 problems found in the content",
    ]


def test_unknown_language_in_defaults_is_refused(make_project) -> None:
    make_project({"handouts/clinic.yaml": LANGUAGES.replace("[en, es]", "[en, fre]")})
    code, _, err = run("list")
    assert code == 1
    assert err.splitlines()[0] == (
        "handouts/clinic.yaml:12:19: defaults.languages[1]: unknown language code 'fre' "
        "(did you mean 'fr'?); use a two-letter ISO 639-1 code such as 'en', 'es' or 'fr' "
        "(optionally with a region: 'pt-BR')")


def test_a_translation_must_record_its_source(es_project: Path) -> None:
    path = es_project / "handouts/topics/intro.es.yaml"
    path.write_text(INTRO_ES, "utf-8")
    code, _, err = run("list")
    assert code == 1
    assert err.splitlines()[0] == (
        "handouts/topics/intro.es.yaml:1:1: a translation file must say what it was "
        f"translated from; add 'translation: {{source: \"{_hash(INTRO)}\", reviewed: null}}' "
        "(the hash of handouts/topics/intro.yaml as it is now)")


def test_coverage_table_json_and_strict(es_project: Path) -> None:
    code, out, _ = run("translations", "--strict")
    assert code == 0
    assert out.splitlines() == [
        "Language         Translated  Missing  Stale  Unreviewed",
        "es (Spanish)         4/4           0      0           4",
        "4 translation files await review by a native-speaking clinician "
        "(translation.reviewed)",
    ]
    (es_project / "handouts/topics/intro.yaml").write_text(
        INTRO.replace("fine needles", "very fine needles"), "utf-8")
    (es_project / "handouts/conditions/back-pain.es.yaml").unlink()
    code, out, _ = run("translations", "--strict")
    assert code == 1
    assert out.splitlines()[1:4] == [
        "es (Spanish)         2/4           1      1           3",
        "stale: handouts/topics/intro.es.yaml: handouts/topics/intro.yaml changed since it "
        "was translated",
        "missing: handouts/conditions/back-pain.es.yaml (translates "
        "handouts/conditions/back-pain.yaml)",
    ]
    code, out, _ = run("translations", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["complete"] is False
    assert data["languages"] == {"es": {"translated": 2, "missing": 1, "stale": 1,
                                        "unreviewed": 3}}


def test_stale_and_unreviewed_translations_are_check_warnings(es_project: Path) -> None:
    (es_project / "handouts/topics/intro.yaml").write_text(
        INTRO.replace("fine needles", "very fine needles"), "utf-8")
    code, out, _ = run("check", "--content-only", "--lang", "es", "--format", "json")
    findings = [f for b in json.loads(out)["brochures"] for f in b["findings"]]
    codes = sorted({(f["code"], f["file"]) for f in findings if f["severity"] != "info"})
    assert code == 0
    assert ("T003", "handouts/topics/intro.es.yaml") in codes
    assert {c for c, _ in codes} == {"T003", "T002"}
    stale = next(f for f in findings if f["code"] == "T003")
    assert stale["line"] == 1
    changed = _hash(INTRO.replace("fine needles", "very fine needles"))
    assert stale["message"] == (
        "the default-language file changed after this was translated; update the translation "
        f"and set translation.source to {changed}")


def test_changed_figures_are_an_error(es_project: Path) -> None:
    path = es_project / "handouts/topics/intro.es.yaml"
    path.write_text(path.read_text("utf-8").replace("low: 70", "low: 60"), "utf-8")
    code, out, _ = run("check", "--content-only", "--lang", "es")
    assert code == 1
    assert ("  handouts/topics/intro.es.yaml:1:1: T004 error: the figures differ from "
            "handouts/topics/intro.yaml (50-75, 60 here, 50-75, 70 there); a translation "
            "keeps every number\n") in out


def test_a_placeholder_in_any_translated_clinic_text_is_an_error(es_project: Path) -> None:
    path = es_project / "handouts/clinic.es.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "locations: {}", 'locations: {main: {hours: ["FILL IN: horario"]}}').replace(
        "Cuando estemos cerrados, llame a su médico.", '"FILL IN"'), "utf-8")
    code, out, _ = run("check", "--content-only", "--lang", "es")
    assert code == 1
    assert [line for line in out.splitlines() if "placeholder" in line] == [
        "  handouts/clinic.es.yaml:3:28: S004 error: locations.main.hours[0] is still the "
        "placeholder from 'brochure init'; write in Spanish the clinic's own text",
        "  handouts/clinic.es.yaml:5:14: S004 error: after_hours is still the placeholder from "
        "'brochure init'; write in Spanish what patients should do when you are closed",
    ]


def test_missing_translations_fail_the_build_naming_the_files(make_project, tmp_path) -> None:
    root = make_project({"handouts/clinic.yaml": LANGUAGES})
    make_project({"handouts/clinic.yaml": LANGUAGES,
                  **spanish(root, skip=("topics/safety", "clinic"))})
    code, _, err = run("build", "--lang", "es", "--out", str(tmp_path / "out"), "-j", "1")
    assert code == 1
    assert err.splitlines() == [
        "handouts/clinic.es.yaml:1:1: missing: the Spanish translation of handouts/clinic.yaml; "
        "translate it ('brochure translations export --lang es') or build with "
        "--allow-fallback to print it in the default language",
        "handouts/topics/safety.es.yaml:1:1: missing: the Spanish translation of "
        "handouts/topics/safety.yaml; translate it ('brochure translations export --lang es') "
        "or build with --allow-fallback to print it in the default language",
        "2 problems found in the content",
    ]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))


def test_export_then_import_is_a_no_op(es_project: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in (es_project / "handouts").rglob("*.yaml")}
    code, out, _ = run("translations", "export", "--lang", "es", "--out",
                       str(tmp_path / "es.po"))
    assert (code, out) == (0, f"wrote {tmp_path / 'es.po'} (46 strings)\n")
    po = (tmp_path / "es.po").read_text("utf-8")
    assert ('#. handouts/topics/intro.yaml: blocks[2].items[0]\n'
            '#: handouts/topics/intro.yaml:19\n'
            'msgctxt "topics/intro.yaml:blocks[2].items[0]"\n'
            'msgid "Drink water."\n'
            'msgstr "Beba agua."\n') in po
    code, out, _ = run("translations", "import", str(tmp_path / "es.po"), "--lang", "es")
    assert (code, out) == (0, "0 written, 4 unchanged, 0 incomplete\n")
    assert {p: p.read_bytes() for p in (es_project / "handouts").rglob("*.yaml")} == before


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_the_shipped_translations_are_complete_and_round_trip(tmp_path: Path, lang) -> None:
    # Every string of the default content has its translation (the logo's alt text too,
    # which a screen reader would otherwise read in English), and exporting then importing
    # writes nothing: the shipped files are as the importer writes them.
    root = tmp_path / "project"
    for folder in ("handouts", "styles", "assets"):
        shutil.copytree(ROOT / folder, root / folder)
    before = {p: p.read_bytes() for p in (root / "handouts").rglob("*.yaml")}
    po = tmp_path / f"{lang}.po"
    assert run("translations", "export", "--lang", lang, "--out", str(po),
               "--project", str(root))[0] == 0
    assert 'msgstr ""\n\n' not in po.read_text("utf-8").split("\n\n", 1)[1] + "\n\n"
    assert run("translations", "import", str(po), "--lang", lang, "--project", str(root)) == (
        0, "0 written, 22 unchanged, 0 incomplete\n", "")
    assert {p: p.read_bytes() for p in (root / "handouts").rglob("*.yaml")} == before


def test_import_writes_a_new_language(es_project: Path, tmp_path: Path) -> None:
    run("translations", "export", "--lang", "es", "--out", str(tmp_path / "es.po"))
    for path in (es_project / "handouts").rglob("*.es.yaml"):
        path.unlink()
    code, out, _ = run("translations", "import", str(tmp_path / "es.po"), "--lang", "es")
    assert (code, out) == (0, "4 written, 0 unchanged, 0 incomplete\n")
    project = load_project(es_project)
    intro = project.translated["es"].topics["intro"]
    assert intro.model.blocks[2].items == ["Beba agua.", "Descanse un día."]  # type: ignore[union-attr]
    assert intro.model.translation is not None
    assert intro.model.translation.source == _hash(INTRO)
    # Written once, then stable: a second import changes nothing.
    code, out, _ = run("translations", "import", str(tmp_path / "es.po"), "--lang", "es")
    assert out == "0 written, 4 unchanged, 0 incomplete\n"


def test_spanish_and_french_readability_formulas() -> None:
    assert syllables("fisioterapeuta", "es") == 6
    assert syllables("naturalmente", "es") == 5
    assert syllables("kinésithérapeute", "fr") == 6
    es = analyse(["La punción seca usa agujas finas. Puede aliviar el dolor."], "es")
    assert es is not None
    assert (es.words, es.sentences) == (10, 2)
    expected = 206.84 - 0.60 * (100 * es.syllables_per_word) - 1.02 * 5
    assert es.ease == pytest.approx(expected, abs=0.6)
    assert es.formula == "Fernandez Huerta (INFLESZ scale)"
    fr = analyse(["Appelez-nous si la douleur dure plus de deux jours."], "fr")
    assert fr is not None
    assert fr.ease == pytest.approx(207 - 1.015 * fr.words - 73.6 * fr.syllables_per_word,
                                    abs=0.5)
    assert fr.formula == "Kandel-Moles"


def test_readability_thresholds_per_language_come_from_clinic_yaml(es_project: Path) -> None:
    clinic = (es_project / "handouts/clinic.yaml").read_text("utf-8")
    (es_project / "handouts/clinic.yaml").write_text(
        clinic + "check:\n  languages:\n    es: {ease_warning: 119, ease_error: 118}\n", "utf-8")
    # The clinic texts' hash does not cover the check settings: the translation stays current.
    code, out, _ = run("check", "--content-only", "--lang", "es")
    assert code == 1
    assert re.search(r"error: section '¿Qué es la punción seca\?' scores [\d.]+ on Fernandez "
                     r"Huerta \(INFLESZ scale\) \(\w+[ \w]*; limit 118\)", out)


def test_every_interface_message_is_translated() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    package = Path(__file__).resolve().parents[1] / "src" / "brochure"
    found = {msg for _, _, msg, _, _ in extract_from_dir(
        str(package), method_map=[("templates/**.j2", "jinja2"), ("**.py", "python")],
        options_map={"templates/**.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}})}
    found |= {"Page {page} of {pages}", "{low} to {high}", "Bar chart, {measure}. {rows}.",
              "patient handout"}
    for lang in ("es", "fr"):
        catalogue = package / "compose" / "locale" / lang / "LC_MESSAGES" / "brochure.po"
        with catalogue.open("rb") as fh:
            catalog = read_po(fh)
        have = {m.id: m.string for m in catalog if m.id}
        assert sorted(found - set(have)) == [], lang
        same = {"Information", "d MMMM y", "Notes"}  # French writes these as English does
        assert all((have[m] and have[m] != m) or m in same for m in found), lang


def test_list_shows_languages(es_project: Path) -> None:
    (es_project / "handouts/topics/safety.es.yaml").unlink()
    code, out, _ = run("list")
    assert code == 0
    lines = out.splitlines()
    start = lines.index("Languages:")
    assert lines[start:start + 3] == [
        "Languages:",
        "  en                         English (the default language)",
        "  es                         Spanish: 3 of 4 files translated, 0 stale",
    ]


def test_a_translation_change_rebuilds_only_its_language(es_project: Path, tmp_path) -> None:
    import brochure

    out = tmp_path / "out"
    first = brochure.build(project=es_project, layout="handout", paper="letter", out=out,
                           html=True, jobs=1)
    assert sorted(first.built) == ["back-pain.handout.letter.en.pdf",
                                   "back-pain.handout.letter.es.pdf"]
    path = es_project / "handouts/topics/intro.es.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "Beba agua.", "'Beba agua y diga \"basta\" si algo le duele.'"), "utf-8")
    second = brochure.build(project=es_project, layout="handout", paper="letter", out=out,
                            html=True, jobs=1)
    assert second.built == ["back-pain.handout.letter.es.pdf"]
    assert second.unchanged == ["back-pain.handout.letter.en.pdf"]
    html = (out / "back-pain.handout.letter.es.html").read_text("utf-8")
    assert "Beba agua y diga «basta» si algo le duele." in html  # Spanish quotation marks


def test_a_language_can_have_its_own_default_layouts(es_project: Path, tmp_path) -> None:
    import brochure

    clinic = (es_project / "handouts/clinic.yaml").read_text("utf-8").replace(
        "  languages: [en, es]\n",
        "  languages: [en, es]\n  layouts: [handout, poster]\n"
        "  layouts_by_language: {es: [handout]}\n")
    (es_project / "handouts/clinic.yaml").write_text(clinic, "utf-8")
    result = brochure.build(project=es_project, paper="letter", out=tmp_path / "out", jobs=1)
    assert sorted(result.built) == ["back-pain.handout.letter.en.pdf",
                                    "back-pain.handout.letter.es.pdf",
                                    "back-pain.poster.letter.en.pdf"]
    wrong = clinic.replace("{es: [handout]}", "{es: [handuot]}")
    (es_project / "handouts/clinic.yaml").write_text(wrong, "utf-8")
    code, _, err = run("list")
    assert code == 1
    assert "unknown layout 'handuot' (did you mean 'handout'?)" in err


def test_lang_option_refuses_unknown_codes_and_the_default_language(es_project: Path) -> None:
    code, _, err = run("build", "--lang", "sp")
    assert (code, err) == (2, "error: --lang: unknown language code 'sp' (did you mean 'es'?); "
                              "use a two-letter ISO 639-1 code such as 'en', 'es' or 'fr' "
                              "(optionally with a region: 'pt-BR')\n")
    code, _, err = run("translations", "export", "--lang", "en")
    assert (code, err) == (2, "error: --lang en is the default language, which the content is "
                              "written in; choose the language to translate into\n")


def test_a_clinic_translation_names_only_ids_clinic_yaml_has(es_project: Path,
                                                             monkeypatch) -> None:
    # A misspelt id would leave that location's name or that practitioner's role in English.
    path = es_project / "handouts/clinic.es.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "locations: {}\n", "locations:\n  mian: {name: Clínica}\n"
        "practitioners:\n  dana: {role: fisioterapeuta}\n"), "utf-8")
    monkeypatch.chdir(es_project)
    assert run("build", "--lang", "es") == (1, "", (
        "handouts/clinic.es.yaml:4:3: locations.mian: no location 'mian' in clinic.yaml (did "
        "you mean 'main'?); use the id it has there\n"
        "handouts/clinic.es.yaml:6:3: practitioners.dana: no practitioner 'dana' in "
        "clinic.yaml; use the id it has there\n"
        "2 problems found in the content\n"))


@pytest.mark.parametrize(("code", "suggestion"), [
    ("sp", " (did you mean 'es'?)"),        # a country code typed for the language
    ("fre", " (did you mean 'fr'?)"),       # a three-letter code CLDR maps to two letters
    ("iw", " (did you mean 'he'?)"),        # an old code
    ("pt_br", " (did you mean 'pt-BR'?)"),  # another spelling
    ("en-UK", " (did you mean 'en-GB'?)"),  # a region's alias
    ("fx", " (did you mean 'fr'?)"),        # a slip in one of the project's languages
    ("ed", " (did you mean 'en' or 'es'?)"),
    ("xq", ""), ("xdq", ""), ("qq-ZZ", ""), ("frnch", ""),  # nothing anyone could mean
])
def test_a_language_suggestion_is_a_code_someone_could_have_meant(
        code: str, suggestion: str) -> None:
    from brochure.content.languages import suggest_code

    assert suggest_code(code, ["en", "es", "fr"]) == suggestion


# --- a PO import takes what it can vouch for, all or nothing --------------------------


def _export(tmp_path: Path) -> str:
    assert run("translations", "export", "--lang", "es", "--out", str(tmp_path / "es.po"))[0] == 0
    return (tmp_path / "es.po").read_text("utf-8")


def _files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (root / "handouts").rglob("*") if p.is_file()}


def _line(po: str, text: str) -> int:
    """Return the line of the PO file that holds ``text``."""
    return po[: po.index(text)].count("\n") + 1


def test_a_po_file_is_read_as_the_utf8_it_must_be(es_project: Path, tmp_path: Path) -> None:
    po = _export(tmp_path)
    before = _files(es_project)
    mislabelled = po.replace("charset=utf-8", "charset=ISO-8859-1")
    Path("mislabelled.po").write_text(mislabelled, "utf-8")
    # Read as its header says, every accented letter of all the files would turn to mojibake.
    assert run("translations", "import", "mislabelled.po", "--lang", "es") == (2, "", (
        f"error: mislabelled.po:{_line(po, 'charset=')}: the header says charset=iso-8859-1, "
        "but the file is UTF-8 text with letters beyond ASCII, and brochure reads PO files "
        "as UTF-8 only; if the text reads right as UTF-8, change the header to "
        "charset=UTF-8, otherwise convert the file first (msgconv --to-code=UTF-8)\n"))
    raw = mislabelled.encode("latin-1")
    Path("latin1.po").write_bytes(raw)
    at = min(i for i, byte in enumerate(raw) if byte > 127)
    line, column = raw[:at].count(b"\n") + 1, at - raw.rfind(b"\n", 0, at)
    assert run("translations", "import", "latin1.po", "--lang", "es") == (2, "", (
        f"error: latin1.po:{line}:{column}: byte 0x{raw[at]:02x} is not UTF-8 text; save "
        "the file as UTF-8\n"))
    assert _files(es_project) == before
    # ASCII reads the same in every such charset: a plain-ASCII file is taken as it is.
    header = mislabelled[: mislabelled.index("\n\n") + 2]
    Path("ascii.po").write_text(header + 'msgctxt "clinic.yaml:emergency_words"\n'
                                'msgid "ambulance"\nmsgstr "ambulancia"\n', "utf-8")
    assert run("translations", "import", "ascii.po", "--lang", "es") == (
        0, "0 written, 0 unchanged, 1 incomplete\n",
        "warning: handouts/clinic.es.yaml: 2 strings not translated yet (or marked fuzzy); "
        "the file was not written\n")


def test_a_translation_of_older_english_stays_stale(es_project: Path, tmp_path: Path) -> None:
    po = _export(tmp_path)  # a translator's PO file, from before the English changed
    intro = es_project / "handouts/topics/intro.yaml"
    intro.write_text(intro.read_text("utf-8").replace("Drink water.", "Drink a glass of water."),
                     "utf-8")
    before = _files(es_project)
    line = _line(po, 'msgid "Drink water."')
    assert run("translations", "import", str(tmp_path / "es.po"), "--lang", "es") == (
        0, "0 written, 3 unchanged, 1 incomplete; entries not imported: 1 stale\n",
        f"warning: es.po:{line}: topics/intro.yaml:"
        "blocks[2].items[0]: translated from English that has changed since (the msgid is "
        "not the current text); not imported: export a new PO file and translate the new "
        "text\n"
        "warning: handouts/topics/intro.es.yaml: 1 string not translated yet (or marked "
        "fuzzy); the file was not written\n")
    assert _files(es_project) == before
    out = run("translations", "--lang", "es", "--format", "json")[1]
    files = {f["source"]: f["status"] for f in json.loads(out)["files"]}
    assert files["handouts/topics/intro.yaml"] == "stale"  # not recorded as current


def test_entries_naming_nothing_in_the_project_are_listed(es_project: Path,
                                                          tmp_path: Path) -> None:
    po = _export(tmp_path) + (
        '\nmsgctxt "topics/intro2.yaml:title"\nmsgid "What is dry needling?"\n'
        'msgstr "¿Qué es la punción seca?"\n'
        '\nmsgctxt "topics/intro.yaml:blocks[9].txt"\nmsgid "Gone."\nmsgstr "Ya no está."\n'
        '\nmsgid "Drink water."\nmsgstr "Beba agua."\n')
    (tmp_path / "es.po").write_text(po, "utf-8")
    before = _files(es_project)
    code, out, err = run("translations", "import", str(tmp_path / "es.po"), "--lang", "es")
    assert (code, out) == (0, "0 written, 4 unchanged, 0 incomplete; entries not imported: "
                              "3 unknown\n")
    other, gone = _line(po, 'msgctxt "topics/intro2.yaml') + 1, _line(po, "Gone.")
    assert err.splitlines() == [
        f"warning: es.po:{other}: topics/intro2.yaml:"
        "title: the project has no file topics/intro2.yaml to translate (did you mean "
        "'topics/intro.yaml'?); not imported",
        f"warning: es.po:{gone}: topics/intro.yaml:blocks[9].txt: "
        "handouts/topics/intro.yaml has no text at 'blocks[9].txt' (did you mean "
        "'blocks[0].text'?); not imported",
        f"warning: es.po:{len(po.splitlines()) - 1}: the entry has no msgctxt naming its "
        "file and key; not imported (translate in a PO file exported by brochure)",
    ]
    assert _files(es_project) == before


def test_a_control_character_in_any_msgstr_refuses_the_whole_import(
        es_project: Path, tmp_path: Path) -> None:
    po = _export(tmp_path).replace(  # a real change to the clinic's file, listed first...
        'msgstr "Cuando estemos cerrados, llame a su médico."',
        'msgstr "Cuando esté cerrado, llame a su médico."')
    before = _files(es_project)
    title = 'msgstr "Punción seca para el dolor de espalda"'
    # ...and, in the last file, a carriage return and a bell written as PO escapes,
    (tmp_path / "escaped.po").write_text(po.replace(title, title[:-1] + '\\r\\a"'), "utf-8")
    assert run("translations", "import", str(tmp_path / "escaped.po"), "--lang", "es") == (
        1, "", f"es.po:{_line(po, title) - 1}:1: conditions/back-pain.yaml:title: the "
        "translation holds the control character U+000D, which does not print; delete "
        "it\n1 problem found in the content\n".replace("es.po", "escaped.po", 1))
    # or an escape sequence as it is.
    (tmp_path / "raw.po").write_text(po.replace(title, title[:-1] + '\x1b[2J"'), "utf-8")
    column = len(title)
    assert run("translations", "import", str(tmp_path / "raw.po"), "--lang", "es") == (
        2, "", f"error: raw.po:{_line(po, title)}:{column}: the file holds the control "
        "character U+001B, which does not print; delete it\n")
    assert _files(es_project) == before  # the clinic's file was not written either


def test_two_translations_of_one_text_are_refused(es_project: Path, tmp_path: Path) -> None:
    po = _export(tmp_path)
    entry = 'msgctxt "topics/intro.yaml:blocks[2].items[0]"\nmsgid "Drink water."\n'
    twice = po + "\n" + entry + 'msgstr "Tome agua."\n'
    (tmp_path / "es.po").write_text(twice, "utf-8")
    before = _files(es_project)
    assert run("translations", "import", str(tmp_path / "es.po"), "--lang", "es") == (
        1, "", f"es.po:{len(twice.splitlines()) - 1}:1: topics/intro.yaml:blocks[2].items[0]"
        f": a second translation of this text (the first is at line "
        f"{_line(po, entry) + 1}); keep one of them\n1 problem found in the content\n")
    assert _files(es_project) == before


def test_an_import_that_cannot_write_every_file_writes_none(
        es_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    _export(tmp_path)
    for path in (es_project / "handouts").rglob("*.es.yaml"):
        path.unlink()
    before = _files(es_project)
    calls = []

    def full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert run("translations", "import", str(tmp_path / "es.po"), "--lang", "es") == (
        1, "", "error: handouts/topics/safety.es.yaml: cannot write the file: No space left "
        "on device\n")
    assert _files(es_project) == before  # the two files before it were not renamed either


def test_a_po_file_can_come_from_standard_input(es_project: Path, tmp_path: Path) -> None:
    po = _export(tmp_path)
    result = CliRunner().invoke(main, ["translations", "import", "-", "--lang", "es"],
                                input=po.replace("Beba agua.", "Tome agua."))
    assert (result.exit_code, result.stdout) == (0, "1 written, 3 unchanged, 0 incomplete\n")
    intro = load_project(es_project).translated["es"].topics["intro"]
    assert intro.model.blocks[2].items[0] == "Tome agua."  # type: ignore[union-attr]
