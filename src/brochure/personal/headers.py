"""Values that become e-mail headers: one line each, so no field can add a header of its own.

A line break of any kind (CR, LF, U+0085, U+2028, ...) or another control character in a
subject, a name or an address would end the header early or corrupt it, whichever file or
option it came from; every header value passes through here first.
"""

from __future__ import annotations

import unicodedata

from brochure.content.models import EMAIL
from brochure.errors import BrochureError, MailError, printable

# Cc: C0/C1 controls (CR, LF, NUL, ESC, U+0085...); Zl/Zp: U+2028/U+2029; Cs: lone
# surrogates, which no encoding can write.
_REFUSED = frozenset({"Cc", "Zl", "Zp", "Cs"})


def unsafe_char(text: str) -> str | None:
    """Return the first character of ``text`` that may not be in a header, or None."""
    return next((c for c in text if unicodedata.category(c) in _REFUSED), None)


def one_line(text: str, where: str, error: type[BrochureError] = MailError) -> str:
    """Return ``text`` when it can be a header value; else raise ``error`` naming ``where``."""
    bad = unsafe_char(text)
    if bad is not None:
        if bad in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
            raise error(f"{where}: holds a line break ({printable(bad)}); write it on one "
                        "line")
        raise error(f"{where}: holds a control character ({printable(bad)}); remove it")
    return text


def plain_address(text: str, where: str, error: type[BrochureError] = MailError) -> str:
    """Return ``text`` when it is one plain address (no name, one line)."""
    one_line(text, where, error)
    if not EMAIL.match(text) or len(text) > 254:
        raise error(f"{where}: '{printable(text)}' is not one e-mail address; write it like "
                    "name@example.com")
    return text


def sender_parts(text: str) -> tuple[str, str] | None:
    """Split 'Name <address>' (or a bare address) into its name and address; None if neither."""
    value = text.strip()
    if "<" in value:
        name, _, rest = value.rpartition("<")
        if not rest.endswith(">"):
            return None
        address = rest[:-1].strip()
        name = name.strip().strip('"').strip()
    else:
        name, address = "", value
    if not EMAIL.match(address) or "<" in name or ">" in name:
        return None
    return name, address
