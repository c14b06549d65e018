"""Decide whether the tool may write a file, and write it whole or not at all.

Every file the tool writes (brochures, their HTML, page previews, manifests, PO files,
translation files, patients' copies and e-mails) goes through ``atomic_write``, which
checks the place when it writes, not when the command started:

- the folder, resolved after links, must still lie inside the folder the command chose
  at its start (``within``), so a folder swapped for a link meanwhile is refused;
- the file itself, if there is one, must be a regular file (never a link, a folder, a
  FIFO or a device) and one of the kind the command writes, recognised by its content:
  a manifest this tool wrote, a PO file of its export, a PDF... A YAML file, clinic.yaml,
  smtp.toml or someone else's manifest.json is never replaced.

The write itself works on an open handle of the folder (``dir_fd``), so the temporary
file, the check and the rename all happen in the folder that was checked. The standard
library's ``tempfile`` cannot create a file relative to a folder handle; these are a few
lines on ``os`` instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from brochure.errors import BrochureError, OutputError, UsageError, display_path
from brochure.safefile import kind_of

# Temporary files are '.brochure-tmp.<final name>.<8 random characters>.part': a prefix of
# our own, so a user's '.thesis.final.docx.part' never matches, and only a build that holds
# the output folder's lock removes them (content/outnames.py).
PART_PREFIX = ".brochure-tmp."
_RANDOM = "abcdefghijklmnopqrstuvwxyz0123456789_"
CONTENT_FOLDERS = ("handouts", "styles", "templates", "assets")
CONTENT_SUFFIXES = {".yaml", ".yml", ".css", ".j2", ".toml"}
_HEAD = 64 * 1024  # enough of a file to recognise it; a manifest is read whole (bounded)
_MANIFEST_LIMIT = 50_000_000


def _manifest(data: bytes) -> bool:
    try:
        found = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    # Ours by its three keys: a changed entry only makes the build start over, but a
    # web app's or a package's manifest.json is someone else's file.
    return isinstance(found, dict) and {"format", "tool", "outputs"} <= set(found)


def _email(data: bytes) -> bool:
    head = data.replace(b"\r\n", b"\n").partition(b"\n\n")[0]
    return b"\nAuto-Submitted: auto-generated" in b"\n" + head and b"Message-ID:" in head


def _html(data: bytes) -> bool:
    # A project's own base template may start with a comment: the <html> tag comes soon.
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and b"<html" in data.lower()


def _translation(data: bytes) -> bool:
    return data.startswith(b"translation:") or b"\ntranslation:" in data


@dataclass(frozen=True)
class Kind:
    """A kind of file the tool writes: its extensions and how to tell one it wrote."""

    what: str  # in words, for messages
    suffixes: tuple[str, ...]
    ours: Callable[[bytes], bool]
    limit: int = _HEAD  # how much of an existing file the check reads
    fix: str = "move it away or choose another name"


KINDS = {
    "pdf": Kind("a PDF", (".pdf",), lambda data: data.startswith(b"%PDF-"), 5),
    "html": Kind("an HTML page", (".html",), _html, 4096),
    "png": Kind("a PNG image", (".png",),
                lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"), 8),
    "manifest": Kind("a manifest brochure wrote", (".json",), _manifest, _MANIFEST_LIMIT),
    "po": Kind("a PO file brochure exported", (".po",),
               lambda data: b'"Project-Id-Version: brochure content' in data),
    "eml": Kind("a message brochure wrote", (".eml",), _email),
    "translation": Kind("a translation file", (".yaml",), _translation, 1024 * 1024,
                        "make it a regular <id>.<lang>.yaml file, then import again"),
    # A build's lock is empty: flock locks it, nothing is written in it (session.py).
    "lock": Kind("a lock file brochure made", (".lock",), lambda data: not data, 1,
                 "remove it, then build again"),
}


def _refuse(message: str, option: str | None) -> BrochureError:
    """Return the refusal: a usage error (exit 2) for a path the user typed, else exit 1."""
    return UsageError(message) if option else OutputError(message)


def _shown(path: Path, option: str | None) -> str:
    return f"{option} {display_path(path)}" if option else display_path(path)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def content_folders(project: Path) -> list[Path]:
    """Return the project's content folders, resolved: no output is written inside them."""
    return [_real(project / name) for name in CONTENT_FOLDERS]


def output_folder(folder: Path, *, project: Path, option: str | None) -> Path:
    """Return ``folder`` resolved after links, or refuse it as a place for outputs.

    Without ``option`` it is the project's own output folder, which must lie inside the
    project. A folder the user named (``option``) may lie elsewhere. Neither may be the
    project itself, a folder above it, a content folder or a folder holding content.
    """
    if "\0" in str(folder):
        raise UsageError(f"{option or 'the output folder'} '{folder}' holds a NUL character")
    real, root = _real(folder), _real(project)
    shown = _shown(folder, option)
    if option is None and not _inside(real, root):
        what = "a link that points" if folder.is_symlink() else "a folder that resolves"
        raise OutputError(f"{shown}: it is {what} outside the project, where a build does "
                          f"not write; make {folder.name} a real folder inside the project, "
                          "or give --out")
    mixes = any(_inside(real, f) for f in content_folders(project)) or _inside(root, real)
    if not mixes and real.is_dir():
        with contextlib.suppress(OSError):
            mixes = (real / "handouts").is_dir() or any(
                p.suffix in CONTENT_SUFFIXES for p in real.iterdir() if p.is_file())
    if mixes:
        raise _refuse(f"{shown} would mix brochures with the content; choose an empty "
                      "folder of its own, such as 'dist'", option)
    if real.exists() and not real.is_dir():
        raise _refuse(f"{shown}: it is a file, not a folder; remove it or choose another "
                      "folder", option)
    return real


def target_folder(path: Path, *, project: Path | None, option: str | None,
                  kind: str) -> Path:
    """Return the resolved folder a one-file output goes into, or refuse the file.

    The file must have the kind's extension, lie outside the project's content folders
    and be absent or a file of that kind the tool may replace (see ``check_target``).
    """
    spec = KINDS[kind]
    if "\0" in str(path):
        raise UsageError(f"{option or 'the output'} '{path}' holds a NUL character")
    shown = _shown(path, option)
    if path.suffix.lower() not in spec.suffixes:
        raise _refuse(f"{shown} must end in {' or '.join(spec.suffixes)}", option)
    within = _real(path.parent)
    project = project if project is not None else _project_of(within)
    if project is not None:
        for name, folder in zip(CONTENT_FOLDERS, content_folders(project), strict=True):
            if _inside(within, folder):
                raise _refuse(f"{shown} is inside the project's {name}/, where it would be "
                              "mixed with the content; write it somewhere else", option)
    check_target(path, kind=kind, within=within, option=option)
    return within


def _project_of(folder: Path) -> Path | None:
    """Return the project ``folder`` lies in (the nearest folder with handouts/clinic.yaml)."""
    for candidate in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            if (candidate / "handouts" / "clinic.yaml").is_file():
                return candidate
    return None


def check_target(path: Path, *, kind: str, within: Path, option: str | None = None) -> None:
    """Refuse to write ``path`` unless its folder is still ``within`` and the file is ours.

    Nothing is written: a command calls this before its work, so a refusal comes first,
    and ``atomic_write`` calls it again when it writes.
    """
    folder = _folder_in(path, within, option)
    if folder is None:
        return
    fd = _open_folder(folder, path, option)
    try:
        _check_entry(fd, path, KINDS[kind], option)
    finally:
        os.close(fd)


def _folder_in(path: Path, within: Path, option: str | None) -> Path | None:
    """Return the real folder of ``path`` (None when it does not exist yet) inside ``within``."""
    real = _real(path.parent)
    if not _inside(real, within):
        raise _refuse(f"{_shown(path.parent, option)}: the folder now leads to "
                      f"{display_path(real)}, outside where this command writes (it was "
                      "changed, or is a link); make it a real folder and run again", option)
    return real if real.exists() else None


def _open_folder(real: Path, path: Path, option: str | None) -> int:
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                     | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _refuse(f"{_shown(path.parent, option)}: cannot write here: {exc.strerror}",
                      option) from None
    try:
        same = real.lstat().st_ino == os.fstat(fd).st_ino \
            and _real(real) == real
    except OSError:
        same = False
    if not same:  # a folder on the way was swapped between resolving and opening
        os.close(fd)
        raise _refuse(f"{_shown(path.parent, option)}: the folder changed while it was "
                      "being written; run again", option)
    return fd


def _check_entry(fd: int, path: Path, spec: Kind, option: str | None) -> None:
    shown = _shown(path, option)
    try:
        mode = os.stat(path.name, dir_fd=fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise _refuse(f"{shown}: it is a link, and brochure writes nothing through a link; "
                      f"{spec.fix}", option)
    if not stat.S_ISREG(mode):
        raise _refuse(f"{shown}: it is {kind_of(mode)}, not {spec.what}; {spec.fix}", option)
    try:
        handle = os.open(path.name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0), dir_fd=fd)
    except OSError as exc:
        raise _refuse(f"{shown}: cannot read it to tell whether brochure wrote it "
                      f"({exc.strerror}); {spec.fix}", option) from None
    with os.fdopen(handle, "rb") as reader:
        head = reader.read(spec.limit)
    if not spec.ours(head):
        raise _refuse(f"{shown}: brochure did not write this file (it is not {spec.what}), "
                      f"so it is not replaced; {spec.fix}", option)


def atomic_write(path: Path, data: bytes, *, kind: str, within: Path,
                 private: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file, flushed to disk, then renamed.

    ``within`` is the resolved folder the command chose at its start: the file's folder
    must still lie inside it, and an existing file must be one of ``kind`` the tool may
    replace (``check_target``). The file is whole or not there, also on Ctrl-C.
    ``private`` (a patient's copy) keeps it readable by its owner only, and its temporary
    file's name does not repeat the target's, which may name the patient.
    """
    write_all([(path, data)], kind=kind, within=within, private=private)


def write_all(files: list[tuple[Path, bytes]], *, kind: str, within: Path,
              private: bool = False) -> None:
    """Write several files all or none, each as ``atomic_write`` writes one.

    Every file is checked and written to its temporary file first; only then are they all
    renamed. When any cannot be (a refusal, a full disk, Ctrl-C), the temporary files are
    removed and no target changes.
    """
    staged: list[tuple[int, str, Path]] = []
    try:
        for path, data in files:
            fd = _folder_for_write(path, within)
            try:
                _check_entry(fd, path, KINDS[kind], None)
                staged.append((fd, _stage(fd, path, data, private), path))
            except BaseException:
                os.close(fd)
                raise
        for fd, tmp, path in staged:
            try:
                os.replace(tmp, path.name, src_dir_fd=fd, dst_dir_fd=fd)
            except OSError as exc:
                raise OutputError(f"{display_path(path)}: cannot write the file: "
                                  f"{exc.strerror}") from None
    finally:
        for fd, tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=fd)  # only those not renamed are still there
            os.close(fd)


def _folder_for_write(path: Path, within: Path) -> int:
    """Make ``path``'s folder if needed, inside ``within``, and return it opened."""
    _folder_in(path, within, None)  # before any folder is made
    try:
        _real(path.parent).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{display_path(path.parent)}: cannot write here: "
                          f"{exc.strerror}") from None
    folder = _folder_in(path, within, None)
    assert folder is not None
    return _open_folder(folder, path, None)


def _stage(folder: int, path: Path, data: bytes, private: bool) -> str:
    """Write ``data`` to a new temporary file in ``folder``, flushed to disk; return its name."""
    prefix = ".brochure-" if private else f"{PART_PREFIX}{path.name}."
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = prefix + "".join(secrets.choice(_RANDOM) for _ in range(8)) + ".part"
        try:  # the umask applies to 0o666, as for any new file; a patient's copy is 0o600
            handle = os.open(tmp, flags, 0o600 if private else 0o666, dir_fd=folder)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"{display_path(path.parent)}: cannot write here: "
                              f"{exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as writer:
            writer.write(data)
            writer.flush()
            os.fsync(writer.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        if isinstance(exc, OSError):
            raise OutputError(f"{display_path(path)}: cannot write the file: "
                              f"{exc.strerror}") from None
        raise
    return tmp


def foreign_entries(folder: Path, ours: Callable[[str], bool]) -> Iterable[Path]:
    """Yield the visible entries of ``folder`` whose names ``ours`` does not claim."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in sorted(folder.iterdir()):
            if not entry.name.startswith(".") and not ours(entry.name):
                yield entry
