"""Load stage: YAML files into plain data that remembers the line and column of every node.

PyYAML's node marks carry positions, but its constructors throw them away and silently keep
the last of two equal keys. We compose the node graph with the safe loader and build the
Python values ourselves, so every value keeps its mark, duplicate keys become errors and
alias expansion is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brochure.content.plaintext import char_name, where
from brochure.errors import ContentError, Problem, display_path, printable, shorten
from brochure.safefile import CONTROL, Refused, read_inside

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000
STANDARD_TAGS = {f"tag:yaml.org,2002:{name}" for name in (
    "str", "int", "float", "bool", "null", "timestamp", "seq", "map", "binary")}

Key = str | int
Loc = tuple[Key, ...]


@dataclass
class Loaded:
    """One YAML document as plain data, with a position for every path inside it."""

    file: Path
    data: Any
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """Return the file name as shown in messages."""
        return display_path(self.file)

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Return the line and column of the deepest known node on ``loc``."""
        table = self.key_marks if key and loc in self.key_marks else self.marks
        probe = loc
        while probe not in table and probe:
            probe = probe[:-1]
        return table.get(probe, self.marks.get((), (1, 1)))

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """Build a problem located at ``loc``."""
        line, column = self.where(loc, key=key)
        return Problem(self.shown, line, column, format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    """Format a path like ``topics[2].items[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


# Line breaks to YAML (1.1), not to most editors: every line number after one would be off.
_UNICODE_BREAK = re.compile("[\x85\u2028\u2029]")


def _control(text: str) -> str | None:
    """Name the first control character in ``text`` (tabs and line breaks excepted)."""
    found = CONTROL.search(text)
    return where(found[0], found.start()) if found else None


class _Builder:
    """Turns a composed node graph into Python values, recording marks."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self.problems: list[Problem] = []

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            line, column = self._mark(node)
            raise ContentError([Problem(
                self.loaded.shown, line, column, "",
                f"the file expands to more than {MAX_NODES:,} values (too many aliases?); "
                "write the content out instead of repeating it with '*' aliases",
            )])
        self.loaded.marks.setdefault(loc, self._mark(node))
        if node.tag not in STANDARD_TAGS:
            line, column = self._mark(node)
            raise ContentError([Problem(
                self.loaded.shown, line, column, format_loc(loc),
                f"the YAML tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is not "
                "allowed in content; remove it",
            )])
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
        return self._scalar(node, loc)

    def _scalar(self, node: yaml.Node, loc: Loc) -> Any:
        line, column = self._mark(node)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # PyYAML raises ValueError, KeyError, TypeError... for bad values
            shown = shorten(printable(str(node.value)), 60)
            tag = node.tag.replace("tag:yaml.org,2002:", "")
            implicit = not getattr(node, "style", None)
            if tag == "timestamp" and implicit and DATE.match(str(node.value)):
                message = f"'{shown}' is not a real date; check the day and the month"
            else:
                message = (f"'{shown}' is not a valid {tag}; fix the value or remove the "
                           f"'!!{tag}' tag")
            self.problems.append(Problem(self.loaded.shown, line, column, format_loc(loc),
                                         message))
            return None
        if isinstance(value, str) and (bad := _control(value)) is not None:
            self.problems.append(Problem(
                self.loaded.shown, line, column, format_loc(loc),
                f"the text holds the control character {bad}, which does not print; "
                "delete it"))
            return None
        return value

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, column = self._mark(key_node)
                self.problems.append(Problem(
                    self.loaded.shown, line, column, format_loc(loc),
                    "merge keys ('<<') are not supported; write the keys out",
                ))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, column = self._mark(key_node)
                self.problems.append(Problem(
                    self.loaded.shown, line, column, format_loc(loc),
                    "a key must be plain text, not a list or mapping",
                ))
                continue
            key = str(key_node.value)
            line, column = self._mark(key_node)
            if (bad := _control(key)) is not None:
                self.problems.append(Problem(
                    self.loaded.shown, line, column, format_loc(loc),
                    f"a key holds the control character {bad}; delete it"))
                continue
            if key in result:
                self.problems.append(Problem(
                    self.loaded.shown, line, column, format_loc((*loc, key)),
                    f"key '{key}' appears twice (lines {first_line[key]} and {line}); "
                    "keep one of them",
                ))
                continue
            first_line[key] = line
            self.loaded.key_marks[(*loc, key)] = (line, column)
            result[key] = self.build(value_node, (*loc, key))
        return result


def _decode(path: Path, raw: bytes) -> str:
    shown = display_path(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError([Problem(
            shown, line, column, "",
            f"byte {exc.start} (0x{raw[exc.start]:02x}) is not UTF-8 text; "
            "save the file as UTF-8",
        )]) from None
    return text


def _compose(text: str) -> yaml.Node | None:
    """Return the node graph of a document, composed by libyaml when PyYAML has it.

    On any error the pure-Python loader composes it again: its messages are the ones the
    error hints explain, so a broken file reads the same with or without libyaml.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_yaml(path: Path, roots: tuple[Path, ...] | None = None) -> Loaded:
    """Read one YAML file into data with marks, or raise ContentError saying where and why.

    The file must lie inside ``roots`` (default: its own folder) once links are followed,
    and be a regular file; it is read up to the size limit, counting the bytes read.
    """
    shown = display_path(path)
    try:
        raw = read_inside(path, roots if roots is not None else (path.parent,),
                          limit=MAX_FILE_BYTES)
    except Refused as exc:
        reason = exc.reason
        if "byte limit" in reason:
            reason = (f"the file is over the {MAX_FILE_BYTES:,}-byte limit; split it into "
                      "smaller files")
        raise ContentError([Problem(shown, 1, 1, "", reason)]) from None
    text = _decode(path, raw)
    if (odd := _UNICODE_BREAK.search(text)) is not None:
        before = text[: odd.start()]
        line, column = before.count("\n") + 1, odd.start() - (before.rfind("\n") + 1) + 1
        raise ContentError([Problem(
            shown, line, column, "", f"the file holds {char_name(odd[0])}, which YAML reads "
            "as a line break although an editor shows none; delete it")])
    loaded = Loaded(file=path, data=None)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        if "another document" in reason:
            reason = "the file holds more than one document ('---'); keep one per file"
        elif exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            reason += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        hint = _hint(text, line, reason)
        message = f"YAML syntax error: {reason}{hint}"
        raise ContentError([Problem(shown, line, column, "", message)]) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise ContentError([Problem(
            shown, line, column, "", f"the file holds the control character "
            f"{char_name(char)}, which YAML does not allow; delete it")]) from None
    except yaml.YAMLError as exc:
        reason = printable(" ".join(str(exc).split()))
        raise ContentError([Problem(shown, 1, 1, "", f"YAML error: {reason}")]) from None
    except RecursionError:
        raise ContentError([Problem(shown, 1, 1, "", "the file nests lists or mappings too "
                                    "deeply; flatten it")]) from None
    if node is None:
        raise ContentError([Problem(shown, 1, 1, "", "the file is empty; add the content or "
                                    "delete the file")])
    builder = _Builder(loaded)
    try:
        loaded.data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ContentError([Problem(shown, line, column, "", f"YAML error: {exc.problem}")])\
            from None
    except RecursionError:
        raise ContentError([Problem(shown, 1, 1, "", "the file nests too deeply or refers to "
                                    "itself through an alias")]) from None
    if builder.problems:
        raise ContentError(builder.problems)
    return loaded


def _hint(text: str, line: int, reason: str) -> str:
    lines = text.splitlines()
    if (0 < line <= len(lines) and "\t" in lines[line - 1]) or "\\t" in reason:
        return " (YAML does not allow tabs for indenting; use spaces)"
    return ""
