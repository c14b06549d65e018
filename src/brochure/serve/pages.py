"""The HTML of the server's pages, from Jinja2 templates (autoescaped: content is never markup)."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from brochure.checks.findings import Finding, without_ignored
from brochure.compose.templating import sandboxed
from brochure.safefile import Refused, read_inside, resolve_inside
from brochure.serve.builder import Builder, Preview
from brochure.serve.watcher import CONTENT_FOLDERS

# file:line:column at the start of a message, as the CLI prints it (maybe after the output)
WHERE = re.compile(r"^(?:error: )?(?:[\w.-]+\.pdf: )?"
                   r"(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): ")
SOURCE_CAP = 1024 * 1024  # the loader refuses larger YAML files too
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Line:
    """One message line and, when it names a file:line, the link to that line."""

    text: str
    href: str | None


@cache
def _environment() -> jinja2.Environment:
    # The program's own pages, in the same sandbox and loader as every other template.
    return sandboxed((Path(__file__).resolve().parent / "templates",), autoescape=True,
                     keep_trailing_newline=False)


def _render(name: str, **values: object) -> str:
    return _environment().get_template(name).render(**values)


def _ref(path: Path) -> str:
    return hashlib.sha256(str(path).encode()).hexdigest()[:16]


def _content(builder: Builder) -> list[Path]:
    return [builder.root / folder for folder in CONTENT_FOLDERS]


def source_link(builder: Builder, file: str, line: int) -> str | None:
    """Return the link to ``file`` at ``line`` when it is one of the project's content files.

    The link carries a digest the server looked up itself, never the path. The path is
    kept as named, not resolved: each request resolves it again (``read_source``).
    """
    path = Path(os.path.abspath(file))  # noqa: PTH100 (resolve() would follow a link)
    try:
        resolve_inside(path, _content(builder))
    except Refused:
        return None
    ref = _ref(path)
    builder.sources[ref] = path
    return f"/source/{ref}#L{line}"


def source_path(builder: Builder, ref: str) -> Path | None:
    """Return the content file a source link names, if the server made that link."""
    return builder.sources.get(ref)


def read_source(builder: Builder, path: Path) -> bytes:
    """Read a linked content file as it is now: inside the content, a regular file, bounded.

    A file swapped for a link out of the project, a FIFO or a huge file since the link
    was made raises Refused. It blocks: the server calls it in a thread.
    """
    return read_inside(path, _content(builder), limit=SOURCE_CAP)


def _lines(builder: Builder, lines: list[str]) -> list[Line]:
    found: list[Line] = []
    for text in lines:
        match = WHERE.match(text)
        href = source_link(builder, match["file"], int(match["line"])) if match else None
        found.append(Line(text, href))
    return found


def _common(builder: Builder) -> dict[str, object]:
    return {"version": builder.version, "problems": _lines(builder, builder.problems)}


def _grade(item: Preview) -> str:
    if item.report is None or "fk_grade" not in item.report.readability:
        return ""
    return f"{item.report.readability['fk_grade']:.1f}"


def index(builder: Builder) -> str:
    """Return the index page: every brochure of the matrix and its check status."""
    ignored = builder.ignored
    rows = []
    for item in builder.items.values():
        report = without_ignored(item.report, ignored) if item.report else None
        rows.append({"item": item, "grade": _grade(item),
                     "errors": report.count("error") if report else None,
                     "warnings": report.count("warning") if report else None})
    return _render("index.html.j2", title="All brochures", rows=rows, root=builder.root,
                   **_common(builder))


def failure(item: Preview) -> list[str]:
    """Return why the last render failed, in the lines ``brochure build`` prints for it."""
    if not item.error:
        return []
    first, *rest = item.error
    return [f"error: {item.job.name}: {first}", *rest]


def _finding(builder: Builder, f: Finding) -> dict[str, object]:
    return {"finding": f, "where": f"{f.file}:{f.line}:{f.column}",
            "href": source_link(builder, f.file, f.line)}


def preview(builder: Builder, item: Preview) -> str:
    """Return one brochure's page: its pages as images, its check findings and grades."""
    report = without_ignored(item.report, builder.ignored) if item.report else None
    findings = sorted(report.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.file,
                                                      f.line, f.column)) if report else []
    sections = [{"section": s, "href": source_link(builder, s.file, s.line)}
                for s in (report.sections if report else [])]
    return _render("preview.html.j2", title=item.title, item=item, grade=_grade(item),
                   findings=[_finding(builder, f) for f in findings], sections=sections,
                   failed=_lines(builder, failure(item)),
                   check_error=_lines(builder, item.check_error), **_common(builder))


def source(builder: Builder, path: Path, data: bytes) -> str:
    """Return a content file's ``data`` with numbered lines, so a finding can point at its line."""
    text = data.decode("utf-8", errors="replace")
    return _render("source.html.j2", title=_shown(builder, path), lines=text.splitlines(),
                   reason="", **_common(builder))


def not_shown(builder: Builder, path: Path, reason: str) -> str:
    """Return the page for a linked file that can no longer be shown, saying why."""
    return _render("source.html.j2", title=_shown(builder, path), lines=[], reason=reason,
                   **_common(builder))


def _shown(builder: Builder, path: Path) -> str:
    try:
        return str(path.relative_to(os.path.abspath(builder.root)))  # noqa: PTH100
    except ValueError:
        return path.name
