"""What plain text may hold: the rules every text field and printed option value share.

A value a patient reads, or a mail header carries, must not hide anything: no line break
where the field is one line (a clinic name with a newline becomes a second mail header),
no invisible format character (U+202E reverses what follows it, U+200B splits a word
invisibly, U+2066 isolates run the other way), no control character. Each refusal names
the character by code point and Unicode name, and its position in the value.
"""

from __future__ import annotations

import unicodedata

# Characters that break a line in Python's str.splitlines() and in Unicode's own rules.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

# Letters and marks that print as nothing although their category says they are text:
# fillers that make a blank name look filled in, and the combining grapheme joiner.
INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\u2800")

# Unicode gives control characters no name, only aliases; these are the ones people meet.
_CONTROL_NAMES = {
    0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x09: "CHARACTER TABULATION",
    0x0A: "LINE FEED", 0x0B: "LINE TABULATION", 0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE",
}


def char_name(char: str) -> str:
    """Return ``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and its Unicode name."""
    code = ord(char)
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(code, "")
    if not name:
        category = unicodedata.category(char)
        name = {"Cc": "a control character", "Cs": "a lone surrogate",
                "Co": "a private-use character", "Cn": "an unassigned code point"}.get(
                    category, "a character without a name")
    return f"U+{code:04X} {name}"


def where(char: str, index: int) -> str:
    """Return ``U+0430 CYRILLIC SMALL LETTER A at position 3`` (positions count from 1)."""
    return f"{char_name(char)} at position {index + 1}"


def _refused(char: str, *, newlines: bool) -> str | None:
    """Return what kind of character ``char`` is when the field may not hold it."""
    if char in LINE_BREAKS:
        if newlines and char == "\n":
            return None
        return "a line break"
    category = unicodedata.category(char)
    if category == "Cf" or char in INVISIBLE:
        return "an invisible character"
    if category[0] == "C":
        return "a control character"
    return None


def text_problem(value: str, *, newlines: bool = False) -> str | None:
    """Return why ``value`` cannot be used as text, or None when it can.

    ``newlines`` allows U+000A, for the multi-line paragraphs of prose fields; every other
    line break, control and invisible format character is refused wherever it is.
    """
    for index, char in enumerate(value):
        kind = _refused(char, newlines=newlines)
        if kind is None:
            continue
        if kind == "a line break":
            hint = ("write it on one line" if not newlines else
                    "break lines with a plain newline only")
            return f"holds a line break, {where(char, index)}; {hint}"
        if kind == "an invisible character":
            return (f"holds an invisible character, {where(char, index)}, which can hide or "
                    "reorder text; delete it")
        return f"holds a control character, {where(char, index)}; delete it"
    return None


def ascii_problem(value: str, what: str, hint: str) -> str | None:
    """Return why ``value`` is not a plain-ASCII ``what`` without spaces, or None.

    Web and e-mail addresses are printed, encoded as QR codes and put in mail headers: a
    look-alike letter (Cyrillic 'а' for Latin 'a') or a space makes them reach elsewhere.
    """
    for index, char in enumerate(value):
        if char.isspace():
            return f"holds a space, {where(char, index)}; {what} has no spaces"
        if not char.isascii() or not char.isprintable():
            return f"holds {where(char, index)}; {what} is plain ASCII{hint}"
    return None


def first_outside(value: str, allowed: str) -> str | None:
    """Return ``U+0430 ... at position 1`` for the first character not in ``allowed``."""
    for index, char in enumerate(value):
        if char not in allowed:
            return where(char, index)
    return None
