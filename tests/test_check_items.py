"""Every scored PEMAT-P / CDC CCI item decides something: each one fails on some content."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import CONDITION, INTRO, SAFETY

from brochure.api import check

TODAY = dt.date(2026, 11, 23)
LONG = "You can rest after a visit and walk a little each day. " * 20
NO_YOU_CONDITION = CONDITION.replace("text: Back pain is very common.", """text: |
          Back pain is very common.

          Many people have it.

          It often gets better.

          It can come back.""").replace("topics: [intro, safety]", "topics: [safety]").replace(
    "key_message: Dry needling may ease your back pain as part of your care.",
    "key_message: Dry needling may ease back pain.")

SAFETY_NO_CHECKLIST = SAFETY[:SAFETY.index("  - kind: checklist\n    role: contraindications")]
NO_CALLOUT_CONDITION = CONDITION.replace(
    "      - {kind: callout, tone: urgent, title: Urgent?, general_guidance: true, "
    "text: Get help now.}\n", "")

# item id -> files that make only that item fail
FAILING = {
    "cci-main-message": {"handouts/conditions/back-pain.yaml": CONDITION.replace(
        "key_message: Dry needling may ease your back pain as part of your care.",
        "key_message: Dry needling may ease your back pain. Ask us about it.")},
    "pemat-headings": {"handouts/conditions/back-pain.yaml": CONDITION.replace(
        "text: Back pain is very common.", f"text: {LONG}")},
    "pemat-visual-cues": {"handouts/topics/intro.yaml": INTRO.replace(
        "**fine, sterile needles**", "fine, sterile needles")},
    "pemat-chart-source": {"handouts/topics/intro.yaml": INTRO.replace(
        "low: 70, words: about seven in ten, source: article",
        "low: 70, words: about seven in ten")},
    "pemat-numbers": {"handouts/conditions/back-pain.yaml": CONDITION.replace(
        "text: Back pain is very common.", "text: It helped 70% of people.")},
    "pemat-you": {"handouts/conditions/back-pain.yaml": NO_YOU_CONDITION},
    "pemat-action": {"handouts/conditions/back-pain.yaml": NO_CALLOUT_CONDITION.replace(
        "topics: [intro, safety]", "topics: [safety]"),
        "handouts/topics/safety.yaml": SAFETY_NO_CHECKLIST.replace("""  - kind: callout
    tone: call-us
    title: When should I call you?
    text: Call us if the soreness gets worse after two days.""", """  - kind: text
    text: Call us if the soreness gets worse after two days.""")},
    "pemat-steps": {"handouts/topics/intro.yaml": INTRO.replace("kind: steps", "kind: checklist")},
    "pemat-tool": {"handouts/topics/intro.yaml": INTRO.replace("kind: checklist", "kind: steps"),
                   "handouts/topics/safety.yaml": SAFETY_NO_CHECKLIST},
    "cci-call-to-action": {"handouts/topics/safety.yaml": SAFETY.replace("tone: call-us",
                                                                         "tone: note")},
}


def items(result) -> dict[str, bool]:
    [report] = result.reports
    return {i.id: i.passed for i in report.items}


def test_the_clean_fixture_passes_every_item(make_project) -> None:
    passed = items(check(project=make_project(), today=TODAY, render=False))
    assert passed == dict.fromkeys(FAILING, True)


@pytest.mark.parametrize("item", sorted(FAILING))
def test_each_item_fails_on_content_that_misses_it(make_project, item: str) -> None:
    result = check(project=make_project(FAILING[item]), today=TODAY, render=False)
    passed = items(result)
    assert passed[item] is False
    [report] = result.reports
    assert report.score == round(100 * sum(passed.values()) / len(passed)) < 100


def test_items_the_models_guarantee_are_not_scored(make_project) -> None:
    result = check(project=make_project(), today=TODAY, render=False)
    assert not {"pemat-tables", "pemat-chart-text"} & set(items(result))
