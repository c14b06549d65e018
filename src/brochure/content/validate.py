"""Turn loaded YAML into typed models, translating every pydantic error into a located Problem."""

from __future__ import annotations

import re
import string
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from brochure.content import layouts, models
from brochure.content.load import Loaded, Loc
from brochure.content.plaintext import first_outside
from brochure.errors import ContentError, Problem, printable, shorten, suggest

M = TypeVar("M", bound=BaseModel)


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for obj in [*vars(models).values(), *vars(layouts).values()]:
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names.update(obj.model_fields)
    return names


KNOWN_KEYS = sorted(_all_field_names())
ID_CHARACTERS = string.ascii_lowercase + string.digits + "-"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


def _data_loc(data: Any, loc: tuple[int | str, ...]) -> Loc:
    """Drop the parts of a pydantic location that are not in the data (union tags)."""
    out: list[int | str] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            if part in node:
                out.append(part)
                node = node[part]
            elif node.get("kind") == part or part.startswith(("function-", "nullable")):
                continue
            else:
                out.append(part)  # a missing key: keep it, it names what is missing
                node = None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(part, int):
            out.append(part)
            node = None
    return tuple(out)


def _message(err: Any, value: Any) -> str:
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    got = _describe(value)
    if kind == "missing":
        return f"missing required key '{err['loc'][-1]}'"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        return f"unknown key '{key}'{_odd(key)}{suggest(key, KNOWN_KEYS)}"
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        return (f"unknown block kind '{tag}'{_odd(tag)}{suggest(tag, models.BLOCK_KINDS)}; "
                f"use one of: {', '.join(models.BLOCK_KINDS)}")
    if kind == "union_tag_not_found":
        return f"a block needs a 'kind' ({', '.join(models.BLOCK_KINDS)})"
    if kind in {"string_type"}:
        hint = "; put it in quotes" if got in {"a number", "true/false"} else ""
        return f"expected text, got {got}{hint}"
    if kind == "string_too_long":
        return (f"is {len(str(value)):,} characters long; at most {ctx.get('max_length')} "
                "fit here; shorten it")
    if kind == "string_too_short":
        return "is empty; write the text or remove the key"
    if kind == "string_pattern_mismatch":
        return _pattern_message(str(err["loc"][-1]) if err["loc"] else "", value,
                                str(ctx.get("pattern", "")))
    if kind in {"list_type"}:
        return f"expected a list (lines starting with '- '), got {got}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"expected a mapping of keys and values, got {got}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        close = suggest(str(value), re.findall(r"'([^']*)'", expected))
        return (f"'{shorten(str(value), 60)}'{_odd(str(value))} is not allowed here{close}; "
                f"use one of: {expected}")
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"needs at least {need} item{'s' if need != 1 else ''}"
    if kind == "too_long":
        most = ctx.get("max_length")
        return f"has {ctx.get('actual_length')} items; at most {most} fit"
    if kind.startswith(("date_", "datetime_")):
        return f"expected a date like 2026-01-31, got {value!r}"
    if kind.startswith(("float_", "int_")):
        return f"expected a number, got {got}"
    if kind in {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}:
        bound = ctx.get("le", ctx.get("ge", ctx.get("lt", ctx.get("gt"))))
        side = "at most" if kind.startswith("less") else "at least"
        shown = f"{bound:g}" if isinstance(bound, int | float) else bound
        return f"must be {side} {shown}, got {value}"
    if kind.startswith("bool_"):
        return f"expected true or false, got {got}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return str(err["msg"])


def _odd(word: str) -> str:
    """Name the first character of a key or keyword that is not plain ASCII: ' (U+0435 ...)'.

    A Cyrillic 'е' looks like a Latin 'e'; without its name the message shows a word that
    looks exactly like the one it should be.
    """
    odd = first_outside(word, string.printable.strip() + " ")
    return f" ({odd})" if odd else ""


def _pattern_message(key: str, value: Any, pattern: str) -> str:
    """Say what a value that does not match its field's pattern should look like."""
    text = str(value)
    shown = f"'{shorten(printable(text), 60)}'"
    if "a-z0-9" in pattern:
        odd = first_outside(text, ID_CHARACTERS)
        if odd is None and text.startswith("-"):
            return f"{shown} is not a valid id: it starts with a hyphen; start it with a " \
                "letter or digit"
        what = f": {odd} is not allowed" if odd else ""
        return (f"{shown} is not a valid id{what}; use lowercase letters (a-z), digits and "
                "hyphens")
    if "svg|png" in pattern:
        return (f"{shown} is not a logo file; give a path inside the project to an .svg or "
                ".png file, like assets/logo.svg")
    odd = first_outside(text, string.printable.strip() + " ")
    named = f" ({odd})" if odd else ""
    if "0-9a-fA-F" in pattern:
        return f"{shown}{named} is not a colour; write it as #rrggbb, like \"#1f5f8b\""
    if "https?" in pattern:
        return (f"{shown}{named} is not a web address; write one starting with https://, "
                "with no spaces")
    if key == "language" or "[a-z]{2}" in pattern:
        return f"{shown}{named} is not a language code; use one like 'en' or 'fr-CA'"
    return f"{shown}{named} is not valid here"


def _value_at(data: Any, loc: Loc) -> Any:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def validate(model: type[M], loaded: Loaded) -> M:
    """Validate one loaded document against ``model``; raise ContentError with every problem."""
    try:
        return model.model_validate(loaded.data, context=_context(loaded.data))
    except ValidationError as exc:
        problems = [_problem(loaded, err) for err in exc.errors()]
        raise ContentError(problems) from None


def _context(data: Any) -> dict[str, Any]:
    """Return what validators need from elsewhere in the file: the clinic's own layout ids.

    ``defaults.layouts`` may name a layout defined under ``layouts:`` of the same file.
    """
    own = data.get("layouts") if isinstance(data, dict) else None
    ids = re.compile(r"^[a-z0-9][a-z0-9-]*$")
    return {"layouts": [key for key in own if isinstance(key, str) and ids.match(key)]
            if isinstance(own, dict) else []}


def _problem(loaded: Loaded, err: Any) -> Problem:
    loc = _data_loc(loaded.data, tuple(err["loc"]))
    if loc and loc[-1] == "[key]":
        # A mapping's key is wrong (an unknown paper family, a bad layout id): name the key.
        loc = loc[:-1]
        message = _message(err, loc[-1] if loc else None)
        return loaded.problem(loc, message, key=True)
    value = _value_at(loaded.data, loc)
    message = _message(err, value)
    if err["type"] == "extra_forbidden":
        return loaded.problem(loc, message, key=True)
    if err["type"] == "missing":
        return loaded.problem(loc[:-1], message)
    if err["type"] == "union_tag_invalid":
        return loaded.problem((*loc, "kind"), message)
    return loaded.problem(loc, message)
