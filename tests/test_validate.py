"""The validate stage: every problem in a run, one line each, with file, line and column."""

from __future__ import annotations

import pytest
from tests.conftest import CONDITION, INTRO

from brochure.errors import ContentError, UsageError
from brochure.project import load_project


def lines_for(make_project, overrides) -> list[str]:
    root = make_project(overrides)
    with pytest.raises(ContentError) as info:
        load_project(root)
    return info.value.lines()


def test_valid_project_loads(make_project) -> None:
    project = load_project(make_project())
    assert list(project.conditions) == ["back-pain"]
    assert list(project.topics) == ["intro", "safety"]
    assert project.clinic.name == "Test Clinic"


def test_unknown_topic_with_suggestion(make_project) -> None:
    text = CONDITION.replace("topics: [intro, safety]", "topics:\n  - intro\n  - safty\n")
    assert lines_for(make_project, {"handouts/conditions/back-pain.yaml": text}) == [
        "handouts/conditions/back-pain.yaml:11:3: topics: every brochure must include the "
        "'safety' topic (it holds when to call the clinic); add it to the list",
        "handouts/conditions/back-pain.yaml:12:5: topics[1]: unknown topic 'safty' "
        "(did you mean 'safety'?); run 'brochure list' to see the topics",
        "2 problems found in the content",
    ]


def test_unknown_key_points_at_the_key(make_project) -> None:
    text = INTRO.replace("key_message:", "key_mesage:")
    assert lines_for(make_project, {"handouts/topics/intro.yaml": text}) == [
        "handouts/topics/intro.yaml:1:1: missing required key 'key_message'",
        "handouts/topics/intro.yaml:2:1: key_mesage: unknown key 'key_mesage' "
        "(did you mean 'key_message'?)",
        "2 problems found in the content",
    ]


def test_problems_from_many_files_are_all_reported(make_project) -> None:
    intro = INTRO.replace("kind: steps", "kind: step")
    cond = CONDITION.replace("title: Dry needling for back pain", "title: [a, b]")
    lines = lines_for(make_project, {"handouts/topics/intro.yaml": intro,
                                     "handouts/conditions/back-pain.yaml": cond})
    assert lines == [
        "handouts/conditions/back-pain.yaml:1:8: title: expected text, got a list",
        "handouts/topics/intro.yaml:14:11: blocks[1].kind: unknown block kind 'step' "
        "(did you mean 'steps'?); use one of: text, table, steps, checklist, callout, figures",
        "2 problems found in the content",
    ]


def test_table_rows_must_match_header(make_project) -> None:
    from tests.conftest import SAFETY

    text = SAFETY.replace("[Bleeding, Rare, Mild]", "[Bleeding, Rare]")
    assert lines_for(make_project, {"handouts/topics/safety.yaml": text}) == [
        "handouts/topics/safety.yaml:8:5: blocks[0]: rows[1] has 2 cells but the header has 3; "
        "give every row one cell per column",
        "1 problem found in the content",
    ]


def test_number_where_text_is_expected_suggests_quotes(make_project) -> None:
    from tests.conftest import CLINIC

    text = CLINIC.replace('phone: "(555) 010-0000"', "phone: 5550100")
    assert lines_for(make_project, {"handouts/clinic.yaml": text}) == [
        "handouts/clinic.yaml:3:10: contact.phone: expected text, got a number; put it in quotes",
        "1 problem found in the content",
    ]


def test_figure_source_must_be_listed(make_project) -> None:
    text = INTRO.replace("words: about seven in ten, source: article",
                         "words: about seven in ten, source: artcle")
    assert lines_for(make_project, {"handouts/topics/intro.yaml": text}) == [
        "handouts/topics/intro.yaml:26:72: blocks[3].items[1].source: unknown source 'artcle' "
        "(did you mean 'article'?); list it under 'sources' in this file",
        "1 problem found in the content",
    ]


def test_range_out_of_order_and_bad_date(make_project) -> None:
    text = (INTRO.replace("low: 50, high: 75", "low: 75, high: 50")
            .replace("on: 2026-09-15", "on: last week"))
    assert lines_for(make_project, {"handouts/topics/intro.yaml": text}) == [
        "handouts/topics/intro.yaml:3:16: reviewed.on: expected a date like 2026-01-31, "
        "got 'last week'",
        "handouts/topics/intro.yaml:24:9: blocks[3].items[0]: high (50) is below low (75); "
        "swap them",
        "2 problems found in the content",
    ]


def test_bad_file_name(make_project) -> None:
    assert lines_for(make_project, {"handouts/topics/Back Pain.yaml": INTRO}) == [
        "handouts/topics/Back Pain.yaml:1:1: file names must be lowercase letters, digits and "
        "hyphens ending in '.yaml' (for example 'back-pain.yaml'); rename the file",
        "1 problem found in the content",
    ]


def test_translations_are_parallel_files(make_project) -> None:
    spanish = INTRO.replace("What is dry needling?", "¿Qué es la punción seca?")
    project = load_project(make_project({"handouts/topics/intro.es.yaml": spanish}))
    assert project.topics["intro"].model.title == "What is dry needling?"


def test_missing_handouts_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"no 'handouts' folder in \."):
        load_project(tmp_path)
