"""Words and ten-word runs, shared by the content tests and the script that makes their data."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

RUN = 10  # words in a row that may not be shared with the article


def words(text: str) -> list[str]:
    """Return the lower-cased words of ``text``, curly apostrophes made straight."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9']+", text)


def run_hash(run: Iterable[str]) -> str:
    """Return the stored form of one run of words: sha256, first 8 bytes, as hex."""
    return hashlib.sha256(" ".join(run).encode("utf-8")).digest()[:8].hex()


def run_hashes(ws: list[str]) -> set[str]:
    """Return the hashes of every run of RUN words in ``ws``."""
    return {run_hash(ws[i : i + RUN]) for i in range(len(ws) - RUN + 1)}
