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
from typing import Any

from brochure.errors import UsageError, display_path
from brochure.output import atomic_write
from brochure.safefile import digest_file

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


def read(path: Path) -> dict[str, Entry]:
    """Read a manifest; a missing or unreadable one is empty (everything rebuilds)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != FORMAT:
            return {}
        return {name: Entry(**{**entry, "files": tuple(entry.get("files", ()))})
                for name, entry in data["outputs"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def dumps(entries: dict[str, Entry], tool: str) -> str:
    """Return the manifest text, sorted, so equal inputs give equal files (but timings)."""
    outputs = {name: asdict(entries[name]) for name in sorted(entries)}
    for entry in outputs.values():
        entry["files"] = list(entry["files"])
    return json.dumps({"format": FORMAT, "tool": tool, "outputs": outputs}, indent=2,
                      sort_keys=True) + "\n"


def write(path: Path, entries: dict[str, Entry], tool: str) -> None:
    """Write the manifest atomically."""
    atomic_write(path, dumps(entries, tool).encode("utf-8"))


def merge(paths: list[Path], out: Path, tool: str) -> dict[str, Entry]:
    """Join shard manifests into one; the same output in two shards must agree."""
    merged: dict[str, Entry] = {}
    for path in paths:
        if not path.is_file():
            raise UsageError(f"{display_path(path)}: no such manifest")
        entries = read(path)
        if not entries and path.stat().st_size:
            raise UsageError(f"{display_path(path)}: not a brochure manifest (format {FORMAT})")
        for name, entry in entries.items():
            if name in merged and merged[name].inputs != entry.inputs:
                raise UsageError(f"{display_path(path)}: '{name}' was built from different "
                                 "inputs in another shard; rebuild both from the same content")
            merged[name] = entry
    write(out, merged, tool)
    return merged
