"""The load stage: YAML to data with positions, and every way a file can be unreadable."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure.content.load import format_loc, load_yaml
from brochure.errors import ContentError


def problems(path: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_yaml(path)
    return [str(p) for p in info.value.problems]


def test_marks_point_at_each_value(make_project) -> None:
    root = make_project({"handouts/x.yaml": "title: A\nitems:\n  - one\n  - two\n"})
    loaded = load_yaml(root / "handouts/x.yaml")
    assert loaded.data == {"title": "A", "items": ["one", "two"]}
    assert loaded.where(("items", 1)) == (4, 5)
    assert loaded.where(("title",), key=True) == (1, 1)
    assert loaded.where(("items", 7, "deeper")) == (3, 3)


def test_duplicate_key_names_both_lines(make_project) -> None:
    root = make_project({"handouts/x.yaml": "title: A\nkey_message: B\ntitle: C\n"})
    assert problems(root / "handouts/x.yaml") == [
        "handouts/x.yaml:3:1: title: key 'title' appears twice (lines 1 and 3); keep one of them"
    ]


def test_syntax_error_has_line_and_column(make_project) -> None:
    root = make_project({"handouts/x.yaml": "title: A\nitems: [one, two\nnext: 3\n"})
    [message] = problems(root / "handouts/x.yaml")
    assert message.startswith("handouts/x.yaml:3:5: YAML syntax error: expected ',' or ']'")


def test_tab_indent_gets_a_hint(make_project) -> None:
    root = make_project({"handouts/x.yaml": "title: A\nblocks:\n\t- one\n"})
    [message] = problems(root / "handouts/x.yaml")
    assert message.startswith("handouts/x.yaml:3:1: YAML syntax error:")
    assert message.endswith("(YAML does not allow tabs for indenting; use spaces)")


def test_empty_file(make_project) -> None:
    root = make_project({"handouts/x.yaml": "# nothing here\n"})
    assert problems(root / "handouts/x.yaml") == [
        "handouts/x.yaml:1:1: the file is empty; add the content or delete the file"
    ]


def test_non_utf8_bytes_give_the_offset(make_project) -> None:
    root = make_project({"handouts/x.yaml": b"title: caf\xe9\n"})
    assert problems(root / "handouts/x.yaml") == [
        "handouts/x.yaml:1:11: byte 10 (0xe9) is not UTF-8 text; save the file as UTF-8"
    ]


def test_billion_laughs_fails_fast(make_project) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    root = make_project({"handouts/x.yaml": "\n".join(lines) + "\n"})
    [message] = problems(root / "handouts/x.yaml")  # how fast: bench/ row LD
    assert "expands to more than 50,000 values" in message
    assert message.startswith("handouts/x.yaml:")


def test_oversized_file(make_project) -> None:
    root = make_project({"handouts/x.yaml": "title: " + "a" * 1_000_001 + "\n"})
    [message] = problems(root / "handouts/x.yaml")
    assert message == ("handouts/x.yaml:1:1: the file is over the 1,000,000-byte limit; "
                       "split it into smaller files")


def test_format_loc() -> None:
    assert format_loc(("topics", 2)) == "topics[2]"
    assert format_loc(("blocks", 1, "items", 0, "label")) == "blocks[1].items[0].label"
    assert format_loc(()) == ""


ROOT = Path(__file__).resolve().parents[1]


def test_libyaml_and_pure_python_give_the_same_data_and_marks(monkeypatch, make_project) -> None:
    import yaml

    root = make_project({"handouts/x.yaml": 't: {a: "é😀 ñ", b: 1, c: [x, "日本語"]}\n'
                                            "d:\n  - é: 1\n    zz: '😀'\n"})
    files = [root / "handouts/x.yaml", *sorted((ROOT / "handouts").rglob("*.yaml"))]
    assert yaml.__with_libyaml__  # PyYAML's wheels include libyaml: the fast path is tested
    fast = [load_yaml(f) for f in files]
    monkeypatch.delattr(yaml, "CSafeLoader")
    for f, loaded in zip(files, fast, strict=True):
        slow = load_yaml(f)
        assert (loaded.data, loaded.marks, loaded.key_marks) == (
            slow.data, slow.marks, slow.key_marks), f
