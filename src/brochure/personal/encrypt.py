"""Lock a PDF with a password: AES-256 (PDF 2.0 security handler, /V 5 /R 6), never RC4."""

from __future__ import annotations

import io
import secrets

from brochure.errors import UsageError


def encrypt(pdf: bytes, password: str) -> bytes:
    """Return the PDF encrypted with AES-256 under ``password``.

    The patient may print it, copy text from it, and (always) have it read aloud: the
    accessibility permission keeps screen readers working. Changing it needs an owner
    password that nobody is told. The document's tags, language and metadata are kept.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import UserAccessPermissions as Allow

    if not password:
        raise UsageError("the password is empty; choose one to give the patient")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    reserved = Allow.R7 | Allow.R8 | Allow.R13 | Allow.R14 | Allow.R15 | Allow.R16
    for bit in range(17, 33):  # bits 13-32 must be 1 (ISO 32000-2, table 22)
        reserved |= Allow(1 << (bit - 1))
    allowed = (reserved | Allow.PRINT | Allow.PRINT_TO_REPRESENTATION | Allow.EXTRACT
               | Allow.EXTRACT_TEXT_AND_GRAPHICS)
    writer.encrypt(user_password=password, owner_password=secrets.token_urlsafe(32),
                   permissions_flag=allowed, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
