"""Shared helpers: small projects built in tmp_path (like copier's build_file_tree)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CLINIC = """\
name: Test Clinic
contact:
  phone: "(555) 010-0000"
  website: www.test-clinic.test
locations:
  - id: main
    address: 1 Test Road, Testville
disclaimer: This handout does not replace advice from your own doctor.
defaults:
  paper: letter
  language: en
emergency: {number: "911", words: ambulance}
after_hours: When we are closed, call your doctor.
"""

SAFETY = """\
title: Is dry needling safe?
key_message: Dry needling is safe for most people when a trained person does it.
reviewed: {on: 2026-10-01, by: Physiotherapist}
sources:
  - id: article
    title: Test article
blocks:
  - kind: table
    heading: What side effects can happen?
    header: [Side effect, How often, How bad]
    rows:
      - [Soreness, Common, Mild]
      - [Bleeding, Rare, Mild]
  - kind: callout
    tone: call-us
    title: When should I call you?
    text: Call us if the soreness gets worse after two days.
    general_guidance: true
  - kind: checklist
    role: contraindications
    heading: Before your first session
    intro: "Tell us before needling if you:"
    items: [take blood thinners, are pregnant]
    general_guidance: true
"""

INTRO = """\
title: What is dry needling?
key_message: Dry needling uses fine needles to relax tight spots in your muscles.
reviewed: {on: 2026-09-15, by: Physiotherapist}
sources:
  - id: article
    title: Test article
blocks:
  - kind: text
    text: |
      Dry needling uses **fine, sterile needles**.

      - It aims at trigger points.
      - It may ease pain.
  - kind: steps
    heading: What happens at a visit?
    items: [We talk with you., We find the tight spots., We place the needles.]
  - kind: checklist
    heading: What should I do afterwards?
    items: [Drink water., Rest for a day.]
  - kind: figures
    heading: What results have been reported?
    measure: Pain relief reported
    items:
      - {label: Chronic low back pain, low: 50, high: 75, source: article,
         words: about half to three in four}
      - {label: Back pain, low: 70, words: about seven in ten, source: article}
"""

CONDITION = """\
title: Dry needling for back pain
key_message: Dry needling may ease your back pain as part of your care.
reviewed: {on: 2026-08-01, by: Physiotherapist}
sections:
  - title: What is back pain?
    blocks:
      - kind: text
        text: Back pain is very common.
      - {kind: callout, tone: urgent, title: Urgent?, general_guidance: true, text: Get help now.}
topics: [intro, safety]
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text}`` under ``root`` and return ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def minimal_files() -> dict[str, str | bytes]:
    """Return the files of a small valid project."""
    return {
        "handouts/clinic.yaml": CLINIC,
        "handouts/topics/intro.yaml": INTRO,
        "handouts/topics/safety.yaml": SAFETY,
        "handouts/conditions/back-pain.yaml": CONDITION,
    }


@pytest.fixture(scope="session")
def default_library(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Build the default content's whole matrix once per test run; return the PDFs.

    Every test module that reads the shipped brochures shares this one build.
    """
    from brochure import build

    result = build(project=ROOT, out=tmp_path_factory.mktemp("default-library"))
    assert result.outputs, "the build wrote no PDFs"
    return list(result.outputs)


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Build a project in tmp_path (minimal files plus overrides) and chdir into it."""
    monkeypatch.chdir(tmp_path)

    def make(overrides: dict[str, str | bytes | None] | None = None) -> Path:
        files = minimal_files()
        for rel, content in (overrides or {}).items():
            if content is None:
                files.pop(rel, None)
            else:
                files[rel] = content
        return write_tree(tmp_path, files)

    yield make
