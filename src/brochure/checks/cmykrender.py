"""Render PDF pages in CMYK with ``mutool draw`` and measure ink on the pixels."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path


def render_cmyk(pdf_path: Path, *, dpi: int, page: int | None = None,
                antialias: bool = True) -> list[tuple[int, int, bytes]]:
    """Render pages as CMYK pixels with ``mutool draw``: (width, height, CMYK bytes) each."""
    mutool = shutil.which("mutool")
    if mutool is None:
        raise FileNotFoundError("mutool")
    with tempfile.TemporaryDirectory(prefix="brochure-ink-") as folder:
        target = Path(folder) / "page-%d.pam"
        args = [mutool, "draw", "-q", "-c", "cmyk", "-r", str(dpi), "-o", str(target)]
        if not antialias:
            args += ["-A", "0"]
        args.append(str(pdf_path))
        if page is not None:
            args.append(str(page))
        subprocess.run(args, check=True, capture_output=True, timeout=120)
        pages = sorted(Path(folder).glob("page-*.pam"),
                       key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))
        return [_read_pam(p.read_bytes()) for p in pages]


def _read_pam(data: bytes) -> tuple[int, int, bytes]:
    end = data.index(b"ENDHDR\n") + len(b"ENDHDR\n")
    header = dict(line.split(b" ", 1) for line in data[:end].splitlines()[1:-1])
    width, height, depth = (int(header[k]) for k in (b"WIDTH", b"HEIGHT", b"DEPTH"))
    pixels = data[end:]
    if depth == 5:  # CMYK plus alpha: drop the alpha
        pixels = b"".join(pixels[i:i + 4] for i in range(0, len(pixels), 5))
    return width, height, pixels


def max_ink(width: int, pixels: bytes, area: tuple[int, int, int, int] | None = None) -> float:
    """Return the highest total ink of any pixel in ``area``, in percent (400 = all solid).

    ``area`` is (left, top, right, bottom) in pixels; the whole render when None.
    """
    height = len(pixels) // (4 * width)
    left, top, right, bottom = area or (0, 0, width, height)
    total = 0
    for row in range(max(0, top), min(height, bottom)):
        line = pixels[(row * width + max(0, left)) * 4:(row * width + min(width, right)) * 4]
        total = max(total, max(map(sum, zip(line[0::4], line[1::4], line[2::4], line[3::4],
                                            strict=True)), default=0))
    return total / 255 * 100


def slug_content(width: int, pixels: bytes, area: tuple[int, int, int, int]) -> int:
    """Return how many inked pixels outside ``area`` are not registration colour.

    Registration colour inks all four plates equally; anything else there is content.
    """
    height = len(pixels) // (4 * width)
    left, top, right, bottom = area
    stray = 0
    for row in range(height):
        line = pixels[row * width * 4:(row + 1) * width * 4]
        inside = top <= row < bottom
        for x in range(width):
            if inside and left <= x < right:
                continue
            c, m, y, k = line[x * 4:x * 4 + 4]
            if (c or m or y or k) and not (c == m == y == k):
                stray += 1
    return stray
