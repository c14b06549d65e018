"""Fonts come from the package and the project's assets/ only, never from the machine.

WeasyPrint asks fontconfig for fonts, and fontconfig's usual configuration offers every
font installed on the machine: a character the brand font lacks (CJK, Arabic, an emoji)
would be drawn, and embedded, in whatever the machine happens to have, and a stylesheet
naming "DejaVu Sans Mono" would get it. While WeasyPrint makes its font configuration,
FONTCONFIG_FILE points at a configuration of our own that lists only the package's font
folder; the project's fonts in assets/ come in through @font-face (and the URL fetcher).
A character no font has is reported by ``brochure.content.glyphs`` instead of printing as a box.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from brochure.fonts import font_folders

_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
{dirs}
  <cachedir>{cache}</cachedir>
  <config><rescan><int>0</int></rescan></config>
</fontconfig>
"""


@cache
def private_config() -> Path:
    """Write the private fontconfig configuration and return its file.

    It lives in a temporary folder (the build's private one during a build) that is
    removed when the process ends.
    """
    from multiprocessing import util

    folder = Path(tempfile.mkdtemp(prefix="brochure-fonts-"))
    dirs = "\n".join(f"  <dir>{escape(str(d))}</dir>" for d in font_folders())
    conf = folder / "fonts.conf"
    conf.write_text(_CONF.format(dirs=dirs, cache=escape(str(folder / "cache"))), "utf-8")
    util.Finalize(None, _remove, args=(folder,), exitpriority=10)
    return conf


@contextmanager
def only_our_fonts() -> Iterator[None]:
    """Make fontconfig load the private configuration while the block runs.

    fontconfig reads FONTCONFIG_FILE when a configuration is loaded, and WeasyPrint loads
    its own once, in FontConfiguration(); the variable is put back afterwards so that no
    other program this process starts inherits it.
    """
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(private_config())
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = previous


def forget() -> None:
    """Remove the configuration's folder and forget it; the next render writes it anew.

    The renderer and worker processes leave with ``os._exit``, which runs no finalizer:
    this is how their folder goes.
    """
    if private_config.cache_info().currsize:
        _remove(private_config().parent)
    private_config.cache_clear()


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
