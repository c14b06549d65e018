"""Property-based tests: any YAML, and any mutation of the real content, ends in success or
a BrochureError that names a file and line, never another exception.

The default suite runs a short pass; `make fuzz` runs 10,000 examples of each.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import ROOT, minimal_files, write_tree

from brochure.compose.brochure import assemble
from brochure.compose.html import render_html
from brochure.content.layouts import get_layout
from brochure.content.project import load_project
from brochure.errors import BrochureError, ContentError

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("medium", max_examples=600, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    st.dates())
KEYS = ["title", "key_message", "blocks", "kind", "text", "items", "header", "rows", "low",
        "high", "words", "source", "sources", "id", "reviewed", "on", "by", "heading", "tone",
        "measure", "topics", "sections", "name", "phone"]
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner,
                        max_size=6),
    ),
    max_leaves=30,
)


@contextmanager
def project(files: dict[str, str | bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files)
        yield root


def outcome(root: Path) -> None:
    """Load, validate and compose; only a BrochureError with file and line may escape."""
    try:
        proj = load_project(root)
        for item in proj.conditions.values():
            render_html(root, assemble(proj, item, layout=get_layout("handout"),
                                       paper="letter"))
    except ContentError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file and problem.line >= 1 and problem.column >= 1, problem
    except BrochureError as exc:
        assert str(exc)


@given(documents)
def test_random_yaml_documents(doc: object) -> None:
    files = minimal_files()
    files["handouts/topics/intro.yaml"] = yaml.safe_dump(doc, allow_unicode=True)
    with project(files) as root:
        outcome(root)


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_random_bytes_and_text(raw: bytes | str) -> None:
    files = minimal_files()
    files["handouts/conditions/back-pain.yaml"] = raw
    with project(files) as root:
        outcome(root)


REAL = sorted(p.relative_to(ROOT) for p in (ROOT / "handouts").rglob("*.yaml"))


@st.composite
def mutations(draw: st.DrawFn) -> tuple[Path, str]:
    rel = draw(st.sampled_from(REAL))
    lines = (ROOT / rel).read_text("utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent",
                                   "insert", "truncate", "replace"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i].lstrip(" ")
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            junk = draw(st.text(alphabet=":-[]{}#&*!|>'\"%@`\t ,?abc0\n", max_size=6))
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        elif op == "truncate":
            lines = lines[:i]
        elif op == "replace":
            pos = draw(st.integers(0, max(0, len(lines[i]) - 1)))
            char = draw(st.characters(exclude_categories=("Cs",)))
            lines[i] = lines[i][:pos] + char + lines[i][pos + 1:]
    return rel, "".join(lines)


@given(mutations())
def test_mutated_real_content(change: tuple[Path, str]) -> None:
    rel, text = change
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "handouts", root / "handouts")
        (root / rel).write_text(text, encoding="utf-8")
        outcome(root)
