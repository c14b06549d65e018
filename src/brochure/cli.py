"""The command line: parses options and calls one library function per command. No logic here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from brochure import __version__

PROJECT = click.option(
    "--project", type=click.Path(file_okay=False, path_type=Path), default=Path(),
    show_default=True, help="The content project: the folder holding handouts/.",
)


class Group(click.Group):
    """Turns every BrochureError into its message and exit code, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report known errors without a traceback."""
        from brochure.errors import BrochureError

        try:
            return super().invoke(ctx)
        except BrochureError as exc:
            lines = exc.lines()
            for line in lines:
                click.echo(f"error: {line}" if len(lines) == 1 else line, err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("stopped; finished files are complete, unfinished ones were not written",
                       err=True)
            ctx.exit(130)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # --help, --version and bad options: Click reports them itself
        except Exception as exc:  # a bug: say so in one line; BROCHURE_DEBUG=1 shows the trace
            if os.environ.get("BROCHURE_DEBUG"):
                raise
            click.echo(f"error: internal error ({type(exc).__name__}: {exc}); this is a bug in "
                       "brochure: please report it with the command you ran "
                       "(BROCHURE_DEBUG=1 shows the details)", err=True)
            ctx.exit(1)


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brochure")
def main() -> None:
    """Build printable patient handouts from YAML content.

    \b
    Example:
      brochure list
      brochure build back-pain --paper a4
    """


@main.command("list")
@click.option("--templates", "show_templates", is_flag=True,
              help="Show which templates and stylesheets come from the project or the package.")
@PROJECT
def list_cmd(show_templates: bool, project: Path) -> None:
    """List the conditions, topics, languages, layouts and papers of a project.

    \b
    Example:
      brochure list --project my-clinic
      brochure list --templates
    """
    from brochure import api

    if show_templates:
        for name, origin in api.list_templates(project=project):
            click.echo(f"  {name:<32} {origin}")
        return
    listing = api.list_project(project=project)
    click.echo("Conditions:")
    for key, title in listing.conditions:
        click.echo(f"  {key:<26} {title}")
    click.echo("Topics:")
    for key, title in listing.topics:
        click.echo(f"  {key:<26} {title}")
    click.echo("Languages:")
    for key, description in listing.languages:
        click.echo(f"  {key:<26} {description}")
    click.echo("Layouts:")
    for key, description, papers in listing.layouts:
        click.echo(f"  {key:<26} {description} Papers: {', '.join(papers)}.")


def _cpus() -> int:
    from brochure.batch import default_workers

    return default_workers()


@main.command()
@click.argument("conditions", nargs=-1)
@click.option("--layout", "layouts", multiple=True, metavar="ID",
              help="Layout to build: handout, trifold, poster, booklet, large-print, or all. "
              "Repeat it for several (default: clinic.yaml's defaults.layouts).")
@click.option("--paper", "papers", multiple=True, type=click.Choice(["letter", "a4"]),
              help="Paper family; repeat it for both (default: clinic.yaml's "
              "defaults.papers, or defaults.paper).")
@click.option("--lang", "langs", multiple=True, metavar="CODE",
              help="Language to build, such as es; repeat it for several (default: "
              "clinic.yaml's defaults.languages).")
@click.option("--allow-fallback", is_flag=True,
              help="Print parts that have no translation in the default language, marked "
              "with their own language, instead of failing.")
@click.option("--topics", help="Comma-separated topic ids to use instead of the condition's own.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs (default: dist/ in the project).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Brochures rendered at once, each in its own process (default: the "
              "number of CPUs).")
@click.option("--force", is_flag=True, help="Rebuild everything, even what is up to date.")
@click.option("--shard", metavar="K/N", help="Build only part K of N of the matrix, for a "
              "CI matrix or a job array; join the manifests with 'brochure manifest merge'.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option("--location", help="The location whose address and phone print (default: the "
              "first in clinic.yaml).")
@click.option("--print-shop", is_flag=True,
              help="Add bleed and crop marks for a print shop (default: the office printer).")
@click.option("--html", is_flag=True, help="Also write the composed HTML, for debugging.")
@click.option("--check", "run_check", is_flag=True,
              help="Run the content checks first; build nothing if they find errors.")
@click.option("--time-limit", type=click.FloatRange(min=1), default=300, show_default=True,
              metavar="SECONDS", help="Stop a brochure that takes longer to render.")
@click.option("--memory-limit", type=click.IntRange(min=256), default=2048, show_default=True,
              metavar="MB", help="Stop a brochure whose worker needs more memory "
              "(with --jobs 2 or more).")
@PROJECT
def build(conditions: tuple[str, ...], layouts: tuple[str, ...], papers: tuple[str, ...],
          langs: tuple[str, ...], allow_fallback: bool, topics: str | None,
          out: Path | None, jobs: int | None, force: bool,
          shard: str | None, quiet: bool, location: str | None, print_shop: bool,
          html: bool, run_check: bool, time_limit: float, memory_limit: int,
          project: Path) -> None:
    """Build the brochures: every condition in every layout and paper of the matrix.

    With no arguments it builds clinic.yaml's default matrix; conditions, --layout,
    --paper and --lang narrow it. Brochures whose content, templates and options have not changed
    since the last build are skipped. Files are named
    <condition>.<layout>.<paper>.<language>.pdf; dist/manifest.json lists them.

    \b
    Example:
      brochure build
      brochure build sciatica back-pain --paper a4 --out dist
      brochure build back-pain --layout trifold --layout poster
      brochure build back-pain --lang es --lang fr
      brochure build --shard 2/4
    """
    from brochure import api
    from brochure.batch import Limits
    from brochure.progress import Reporter

    with Reporter(quiet=quiet) as reporter:
        result = api.build(
            project=project, conditions=conditions, topics=_split(topics), paper=papers,
            layout=layouts, out=out, html=html, check=run_check, location=location,
            print_shop=print_shop, jobs=jobs or _cpus(), force=force, shard=shard,
            limits=Limits(seconds=time_limit, memory_mb=memory_limit), on_progress=reporter,
            lang=langs, allow_fallback=allow_fallback)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(result.summary())


@main.command()
@click.argument("conditions", nargs=-1)
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format.")
@click.option("--content-only", is_flag=True,
              help="Skip rendering: check the content, not the PDF (faster).")
@click.option("--lang", "langs", multiple=True, metavar="CODE",
              help="Language to check; repeat it for several (default: clinic.yaml's "
              "defaults.languages).")
@PROJECT
def check(conditions: tuple[str, ...], strict: bool, fmt: str, content_only: bool,
          langs: tuple[str, ...], project: Path) -> None:
    """Check readability, health-literacy items, sources and accessibility.

    Exits 0 when clean, 1 on errors (with --strict, on warnings too).

    \b
    Example:
      brochure check
      brochure check sciatica --strict --format json
    """
    from brochure import api

    result = api.check(project=project, conditions=conditions, strict=strict,
                       render=not content_only, lang=langs)
    from brochure import report

    if fmt == "json":
        click.echo(report.as_json(result))
    else:
        colour = sys.stdout.isatty()
        click.echo(report.as_text(result, _styler(colour)))
    if not result.passed:
        sys.exit(1)


def _styler(colour: bool) -> Callable[[str, str], str]:
    from brochure import report

    def style(text: str, kind: str) -> str:
        if not colour:
            return text
        if kind == "title":
            return click.style(text, bold=True)
        return click.style(text, fg=report.COLOURS.get(kind))

    return style


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", help="The clinic's name, written into handouts/clinic.yaml.")
def init(directory: Path, name: str | None) -> None:
    """Create a new clinic project (clinic.yaml, handouts/, styles/) in DIRECTORY.

    It never overwrites an existing project.

    \b
    Example:
      brochure init my-clinic --name "Riverside Physio"
      brochure build --project my-clinic
    """
    from brochure import api

    written = api.init(target=directory, name=name)
    click.echo(f"created {directory} ({len(written)} files); edit "
               f"{directory / 'handouts' / 'clinic.yaml'} first")


@main.group(invoke_without_command=True)
@click.option("--lang", "langs", multiple=True, metavar="CODE",
              help="Language to report on; repeat it for several (default: all).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything is missing or stale.")
@PROJECT
@click.pass_context
def translations(ctx: click.Context, langs: tuple[str, ...], fmt: str, strict: bool,
                 project: Path) -> None:
    """Show how complete each translation is: translated, missing and stale files.

    A translation is stale when its default-language file changed after it was
    translated. Subcommands exchange PO files with a translator.

    \b
    Example:
      brochure translations
      brochure translations --lang es --format json --strict
      brochure translations export --lang es
      brochure translations import translations.es.po --lang es
    """
    if ctx.invoked_subcommand is not None:
        return
    from brochure import api, coverage_report

    result = api.translations(project=project, languages=langs)
    click.echo(coverage_report.coverage_json(result) if fmt == "json"
               else coverage_report.coverage_text(result))
    if strict and not result.complete:
        sys.exit(1)


@translations.command("export")
@click.option("--lang", required=True, metavar="CODE", help="The language to translate into.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The PO file to write (default: translations.<lang>.po in the project).")
@PROJECT
def translations_export(lang: str, out: Path | None, project: Path) -> None:
    """Write a PO file of every string to translate, for a translator.

    \b
    Example:
      brochure translations export --lang es --out es.po
    """
    from brochure import api

    target, count = api.export_translations(project=project, lang=lang, out=out)
    click.echo(f"wrote {target} ({count} strings)")


@translations.command("import")
@click.argument("po_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--lang", required=True, metavar="CODE", help="The language of the PO file.")
@PROJECT
def translations_import(po_file: Path, lang: str, project: Path) -> None:
    """Write a translated PO file back to the <id>.<lang>.yaml files.

    \b
    Example:
      brochure translations import es.po --lang es
    """
    from brochure import api

    done = api.import_translations(project=project, lang=lang, po_file=po_file)
    for path, left in done.incomplete:
        click.echo(f"warning: {path}: {left} string{'s' if left != 1 else ''} not translated "
                   "yet; the file was not written", err=True)
    click.echo(f"{len(done.written)} written, {len(done.unchanged)} unchanged, "
               f"{len(done.incomplete)} incomplete")


@main.group()
def manifest() -> None:
    """Work with build manifests (dist/manifest.json).

    \b
    Example:
      brochure manifest merge dist/manifest.*-of-4.json
    """


@manifest.command("merge")
@click.argument("manifests", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The merged manifest (default: manifest.json beside the first one).")
def manifest_merge(manifests: tuple[Path, ...], out: Path | None) -> None:
    """Join the manifests of a sharded build into one.

    \b
    Example:
      brochure manifest merge dist/manifest.*-of-4.json
    """
    from brochure import api

    target = out or manifests[0].parent / "manifest.json"
    count = api.merge_manifests(manifests, out=target)
    click.echo(f"wrote {target} ({count} outputs from {len(manifests)} manifests)")
