"""Readability of translations, with formulas made for each language.

English is scored in readability.py (Flesch-Kincaid, Flesch, SMOG with the CMU
dictionary). Those formulas are fitted to English words and mislead on Spanish or French,
whose words carry more syllables for the same difficulty, so each language has its own:

- Spanish: Fernandez Huerta, J. (1959). "Medidas sencillas de lecturabilidad".
  Consigna 214: 29-32. L = 206.84 - 0.60 P - 1.02 F, with P the syllables per 100 words
  and F the words per sentence (the sentence length Flesch's 1.015 applies to; read as
  "sentences per 100 words", as it is often printed, a longer sentence would score as
  easier). The score is read on the INFLESZ scale of Barrio-Cantalejo, I. M. et al.
  (2008), "Validacion de la Escala INFLESZ para evaluar la legibilidad de los textos
  dirigidos a pacientes", Anales del Sistema Sanitario de Navarra 31(2): 135-152.
- French: Kandel, L. and Moles, A. (1958). "Application de l'indice de Flesch a la langue
  francaise". Cahiers Etudes de Radio-Television 19: 253-274.
  L = 207 - 1.015 (words per sentence) - 73.6 (syllables per word), on Flesch's scale.

Syllables are counted offline from Pyphen's hyphenation dictionary for the language (every
break point, with no minimum at the ends of a word); a language Pyphen has no dictionary
for falls back to counting groups of vowels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from brochure.checks.readability import split_sentences

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
VOWELS = re.compile(r"[aeiouyáéíóúàâèêëîïôùûüœæ]+", re.IGNORECASE)


@dataclass(frozen=True)
class Scale:
    """A readability formula and the words its published scale gives each band."""

    formula: str
    score: Callable[[float, float], float]  # (words per sentence, syllables per word)
    bands: tuple[tuple[float, str], ...]  # (lowest score, name), highest first

    def band(self, value: float) -> str:
        """Return the name of the band a score falls in."""
        for lowest, name in self.bands:
            if value >= lowest:
                return name
        return self.bands[-1][1]


def _fernandez_huerta(words_per_sentence: float, syllables_per_word: float) -> float:
    return 206.84 - 0.60 * (100 * syllables_per_word) - 1.02 * words_per_sentence


def _kandel_moles(words_per_sentence: float, syllables_per_word: float) -> float:
    return 207 - 1.015 * words_per_sentence - 73.6 * syllables_per_word


SCALES = {
    "es": Scale("Fernandez Huerta (INFLESZ scale)", _fernandez_huerta, (
        (80, "muy fácil"), (65, "bastante fácil"), (55, "normal"), (40, "algo difícil"),
        (0, "muy difícil"))),
    "fr": Scale("Kandel-Moles", _kandel_moles, (
        (90, "très facile"), (80, "facile"), (70, "assez facile"), (60, "standard"),
        (50, "assez difficile"), (30, "difficile"), (0, "très difficile"))),
}


def scale(language: str) -> Scale | None:
    """Return the formula for a language, or None when the project has none for it."""
    return SCALES.get(language.split("-")[0])


@cache
def _dictionary(language: str) -> object | None:
    import pyphen

    found = pyphen.language_fallback(language.replace("-", "_"))
    return pyphen.Pyphen(lang=found, left=1, right=1) if found else None


def syllables(word: str, language: str) -> int:
    """Return the syllables of a word: Pyphen's break points plus one."""
    dictionary = _dictionary(language)
    if dictionary is not None:
        return len(dictionary.positions(word.lower())) + 1  # type: ignore[attr-defined]
    return max(1, len(VOWELS.findall(word)))


@dataclass(frozen=True)
class Score:
    """Readability of a text in one language."""

    formula: str
    ease: float
    band: str
    sentences: int
    words: int
    words_per_sentence: float
    syllables_per_word: float
    longest_sentence: str


def analyse(units: list[str], language: str) -> Score | None:
    """Score prose units (paragraphs, list items) with the language's own formula."""
    found = scale(language)
    if found is None:
        return None
    sentences = [s for unit in units for s in split_sentences(unit) if WORD.search(s)]
    words = [w for s in sentences for w in WORD.findall(s)]
    if not sentences or not words:
        return None
    per_sentence = len(words) / len(sentences)
    per_word = sum(syllables(w, language) for w in words) / len(words)
    ease = round(found.score(per_sentence, per_word), 1)
    longest = max(sentences, key=lambda s: len(WORD.findall(s)))
    return Score(found.formula, ease, found.band(ease), len(sentences), len(words),
                 round(per_sentence, 1), round(per_word, 2), longest)
