"""dist/manifest.json: every output with the hash of its inputs, pages, bytes and render time.

The inputs hash decides whether an output is rebuilt: it covers the content files the
brochure uses, every template and stylesheet it could load, the fonts, the logo, the
tool's version and the options. Entries are sorted and timings are the only field that
changes between two runs on the same inputs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from brochure.content.outfile import atomic_write, target_folder
from brochure.errors import UsageError, display_path, printable
from brochure.safefile import Refused, digest_file, read_inside

FORMAT = 1
NAME = "manifest.json"


@dataclass(frozen=True)
class Entry:
    """One output file in the manifest."""

    condition: str
    layout: str
    paper: str
    language: str
    inputs: str
    pages: int
    bytes: int
    render_seconds: float
    files: tuple[str, ...] = ()  # extra files written with it (an imposed booklet)


@cache
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # part of the cache key: a changed file is hashed again
    return digest_file(path)


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file, cached by path, size and modification time.

    The path is not resolved: a plan names every file the same way, and resolving each of
    the thousands of references a catalogue makes took a third of a no-op build.
    """
    stat = path.stat()
    return _digest(path, stat.st_size, stat.st_mtime_ns)


def inputs_hash(files: dict[str, Path], options: dict[str, Any]) -> str:
    """Hash labelled input files and the options into one hex digest."""
    h = hashlib.sha256()
    for label in sorted(files):
        h.update(f"{label}\0{file_digest(files[label])}\n".encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    return h.hexdigest()


def manifest_name(shard: tuple[int, int] | None) -> str:
    """Return the manifest file name: manifest.json, or manifest.K-of-N.json for a shard."""
    return NAME if shard is None else f"manifest.{shard[0]}-of-{shard[1]}.json"


MAX_MANIFEST_BYTES = 50_000_000
# An output's name is a plain file name: no folder, no '..', nothing a shell would mangle.
PLAIN_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$"


class _EntrySchema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    condition: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    layout: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    paper: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
    inputs: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    pages: Annotated[int, Field(ge=0)]
    bytes: Annotated[int, Field(ge=0)]
    render_seconds: Annotated[float, Field(ge=0)]
    files: list[Annotated[str, StringConstraints(pattern=PLAIN_NAME)]] = []


class _ManifestSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    format: Literal[1]
    tool: str
    outputs: dict[Annotated[str, StringConstraints(pattern=PLAIN_NAME)], _EntrySchema]


class ManifestError(UsageError):
    """A manifest that is not one this tool wrote (or was changed since)."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a manifest may hold")


def parse(path: Path) -> dict[str, Entry]:
    """Read and validate a manifest; raise ManifestError saying where and what is wrong."""
    shown = display_path(path)
    try:
        raw = read_inside(path, (path.parent,), limit=MAX_MANIFEST_BYTES)
    except Refused as exc:
        raise ManifestError(f"{shown}: {exc.reason}") from None
    if not raw.strip():
        raise ManifestError(f"{shown}:1: the manifest is empty; build the shard again to "
                            "write it")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise ManifestError(f"{shown}:1: not UTF-8 text; build the shard again") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{shown}:{exc.lineno}:{exc.colno}: not valid JSON "
                            f"({exc.msg}); build the shard again") from None
    except RecursionError:
        raise ManifestError(f"{shown}:1: the manifest nests too deeply; build the shard "
                            "again") from None
    except ValueError as exc:
        text = raw.decode("utf-8")
        word = str(exc).split()[0]
        line = text.count("\n", 0, max(text.find(word), 0)) + 1
        raise ManifestError(f"{shown}:{line}: {exc}; build the shard again") from None
    try:
        model = _ManifestSchema.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        keys = [str(part) for part in err["loc"] if part != "[key]"]
        line = _line_of(raw.decode("utf-8"), keys)
        raise ManifestError(f"{shown}:{line}: {_schema_message(err, keys)}; this is not a "
                            "manifest a build wrote: build the shard again") from None
    return {name: Entry(e.condition, e.layout, e.paper, e.language, e.inputs, e.pages,
                        e.bytes, e.render_seconds, tuple(e.files))
            for name, e in model.outputs.items()}


_EXPECTED = {"int_type": "a whole number", "int_parsing": "a whole number",
             "float_type": "a number", "string_type": "text", "list_type": "a list",
             "dict_type": "a mapping", "model_type": "a mapping", "literal_error": str(FORMAT),
             "finite_number": "a finite number", "greater_than_equal": "0 or more"}


def _schema_message(err: Any, keys: list[str]) -> str:
    """Say what is wrong with one value of a manifest, in words."""
    kind = err["type"]
    if "[key]" in err["loc"]:
        return (f"output name '{printable(keys[-1])[:80]}' is not a plain file name (no "
                "folders, no '..')")
    where = keys[0] if keys else "the manifest"
    for key in keys[1:]:
        where += f"[{json.dumps(printable(key)[:80])}]" if key.endswith(".pdf") or \
            "." in key else f".{key}"
    if kind == "missing":
        return f"{where}: a required key is missing"
    if kind == "extra_forbidden":
        return f"{where}: unknown key"
    if kind == "string_pattern_mismatch":
        return f"{where}: '{printable(str(err.get('input')))[:80]}' is not a valid value"
    return f"{where}: expected {_EXPECTED.get(kind, 'another kind of value')}"


def _line_of(text: str, keys: list[str]) -> int:
    """Return the line of the deepest of ``keys`` found in order in the JSON text."""
    position, line = 0, 1
    for key in keys:
        found = text.find(json.dumps(key), position)
        if found < 0:
            break
        position = found
        line = text.count("\n", 0, found) + 1
    return line


def read(path: Path) -> dict[str, Entry]:
    """Read a manifest; a missing or invalid one is empty (everything rebuilds)."""
    try:
        return parse(path)
    except ManifestError:
        return {}


def dumps(entries: dict[str, Entry], tool: str) -> str:
    """Return the manifest text, sorted, so equal inputs give equal files (but timings)."""
    outputs = {name: asdict(entries[name]) for name in sorted(entries)}
    for entry in outputs.values():
        entry["files"] = list(entry["files"])
    return json.dumps({"format": FORMAT, "tool": tool, "outputs": outputs}, indent=2,
                      sort_keys=True, allow_nan=False) + "\n"


def merge(paths: list[Path], out: Path, tool: str, *,
          option: str | None = None) -> dict[str, Entry]:
    """Join shard manifests into one; the same output in two shards must agree.

    ``out`` must end in .json and be new or a manifest a build wrote (see
    content/outfile.py); ``option`` names it in a refusal, as the user typed it.
    """
    within = target_folder(out, project=None, kind="manifest", option=option)
    merged: dict[str, Entry] = {}
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{display_path(path)}: no such manifest")
        entries = parse(path)
        for name, entry in entries.items():
            if name in merged and merged[name].inputs != entry.inputs:
                raise UsageError(f"{display_path(path)}: '{name}' was built from different "
                                 "inputs in another shard; rebuild both from the same content")
            merged[name] = entry
    atomic_write(out, dumps(merged, tool).encode("utf-8"), kind="manifest", within=within)
    return merged
