"""The command line: parses options and calls one library function per command. No logic here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from brochure import __version__
from brochure.params import FiniteFloatRange, PlainPath

PROJECT = click.option(
    "--project", type=PlainPath(file_okay=False, path_type=Path), default=Path(),
    show_default=True, help="The content project: the folder holding handouts/.",
)

IGNORE = click.option(
    "--ignore", "ignore", multiple=True, metavar="CODE",
    help="Leave out findings with this code, such as W001 (repeat it, or separate codes with "
    "commas); clinic.yaml's check.ignore does the same. The codes that protect patients "
    "(S001-S005, T004) cannot be ignored.",
)


class Group(click.Group):
    """Turns every BrochureError into its message and exit code, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report known errors without a traceback."""
        from brochure.errors import BrochureError, printable

        try:
            return super().invoke(ctx)
        except BrochureError as exc:
            lines = exc.lines()
            for line in map(printable, lines):  # no value a person typed can drive the terminal
                click.echo(f"error: {line}" if len(lines) == 1 else line, err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM / SIGHUP during a build
            click.echo("stopped; finished files are complete, unfinished ones were not written",
                       err=True)
            ctx.exit(getattr(exc, "exit_code", 130))
        except BrokenPipeError:
            raise  # the reader left (`brochure list | head`): Click exits quietly
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
@click.option("--colours", "show_colours", is_flag=True,
              help="Show the brand colours in CMYK, as the print-shop files print them.")
@PROJECT
def list_cmd(show_templates: bool, show_colours: bool, project: Path) -> None:
    """List the conditions, topics, languages, layouts and papers of a project.

    \b
    Example:
      brochure list --project my-clinic
      brochure list --templates
      brochure list --colours
    """
    from brochure import api

    if show_colours:
        profile, colours = api.list_colours(project=project)
        click.echo(f"Print-shop colours (CMYK profile: {profile}):")
        for key, hex_value, cmyk, how in colours:
            click.echo(f"  {key:<12} {hex_value:<8} {cmyk:<22} {how}")
        return
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
    from brochure.engine import default_workers

    return default_workers()


@main.command()
@click.argument("conditions", nargs=-1)
@click.option("--layout", "layouts", multiple=True, metavar="ID",
              help="Layout to build: handout, trifold, poster, booklet, large-print, one of "
              "clinic.yaml's own layouts, or all. Repeat it for several (default: "
              "clinic.yaml's defaults.layouts).")
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
@click.option("--out", type=PlainPath(file_okay=False, path_type=Path),
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
              help="Write PDF/X-4 in CMYK with bleed, slug and marks for a print shop "
              "(default: the office printer).")
@click.option("--archive", is_flag=True,
              help="Also write a PDF/A-2u copy of each office PDF (....pdfa.pdf) to keep.")
@click.option("--html", is_flag=True, help="Also write the composed HTML, for debugging.")
@click.option("--check", "run_check", is_flag=True,
              help="Run the content checks first; build nothing if they find errors.")
@click.option("--strict", is_flag=True, help="Count warnings as errors: the content checks' "
              "warnings stop the build, and a brochure WeasyPrint warns about fails.")
@click.option("--time-limit", type=FiniteFloatRange(min=1, max=86_400), default=300,
              show_default=True,
              metavar="SECONDS", help="Stop a brochure that takes longer to render.")
@click.option("--memory-limit", type=click.IntRange(min=256, max=1_048_576), default=2048,
              show_default=True,
              metavar="MB", help="Stop a brochure that needs more memory.")
@IGNORE
@PROJECT
def build(conditions: tuple[str, ...], layouts: tuple[str, ...], papers: tuple[str, ...],
          langs: tuple[str, ...], allow_fallback: bool, topics: str | None,
          out: Path | None, jobs: int | None, force: bool,
          shard: str | None, quiet: bool, location: str | None, print_shop: bool,
          archive: bool, html: bool, run_check: bool, strict: bool, time_limit: float,
          memory_limit: int, ignore: tuple[str, ...],
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
    from brochure.catalogue.progress import Reporter
    from brochure.engine import Limits

    with Reporter(quiet=quiet) as reporter:
        result = api.build(
            project=project, conditions=conditions, topics=_split(topics), paper=papers,
            layout=layouts, out=out, html=html, check=run_check, strict=strict,
            location=location, print_shop=print_shop, archive=archive, jobs=jobs or _cpus(),
            force=force, shard=shard,
            limits=Limits(seconds=time_limit, memory_mb=memory_limit), on_progress=reporter,
            lang=langs, allow_fallback=allow_fallback, ignore=ignore)
    for warning in result.warning_lines():
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
@click.option("--print-shop", is_flag=True,
              help="Also read back each print-shop PDF as a prepress check would.")
@click.option("--layout", "layouts", multiple=True, metavar="ID",
              help="Layout whose PDF to audit, or all; repeat it for several (default: "
              "clinic.yaml's defaults.layouts).")
@click.option("--paper", type=click.Choice(["letter", "a4"]),
              help="Paper family (default: clinic.yaml's defaults.paper).")
@click.option("--lang", "langs", multiple=True, metavar="CODE",
              help="Language to check; repeat it for several (default: clinic.yaml's "
              "defaults.languages).")
@IGNORE
@PROJECT
def check(conditions: tuple[str, ...], strict: bool, fmt: str, content_only: bool,
          print_shop: bool, layouts: tuple[str, ...], paper: str | None,
          langs: tuple[str, ...], ignore: tuple[str, ...], project: Path) -> None:
    """Check readability, health-literacy items, sources and accessibility.

    Exits 0 when clean, 1 on errors (with --strict, on warnings too). Each finding has
    a code (S004, R001, W001, ...) that --ignore takes.

    \b
    Example:
      brochure check
      brochure check sciatica --strict --format json
      brochure check --strict --ignore H002,R003
      brochure check back-pain --print-shop --layout trifold
    """
    from brochure import api

    result = api.check(project=project, conditions=conditions, strict=strict,
                       render=not content_only, print_shop=print_shop, layout=layouts,
                       paper=paper, lang=langs, ignore=ignore)
    from brochure.checks import report

    if fmt == "json":
        click.echo(report.as_json(result))
    else:
        colour = sys.stdout.isatty()
        click.echo(report.as_text(result, _styler(colour)))
    if not result.passed:
        sys.exit(1)


def _styler(colour: bool) -> Callable[[str, str], str]:
    from brochure.checks import report

    def style(text: str, kind: str) -> str:
        if not colour:
            return text
        if kind == "title":
            return click.style(text, bold=True)
        return click.style(text, fg=report.COLOURS.get(kind))

    return style


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default answers this machine only.")
@click.option("--open", "open_browser", is_flag=True, help="Open the index in a web browser.")
@IGNORE
@PROJECT
def serve(port: int, host: str, open_browser: bool, ignore: tuple[str, ...],
          project: Path) -> None:
    """Preview every brochure in a browser; saving a file updates the open page.

    Shows each brochure's pages as they print, a Download PDF link and what
    'brochure check' finds. Needs the optional extra: pip install 'brochure[serve]'.
    Ctrl-C stops it.

    \b
    Example:
      brochure serve
      brochure serve --project my-clinic --port 8080 --open
    """
    from brochure.serve import serve as run

    def ready(url: str) -> None:
        click.echo(f"serving {url} (press Ctrl-C to stop)")

    run(project=project, host=host, port=port, open_browser=open_browser, on_ready=ready,
        ignore=ignore)
    click.echo("stopped")


@main.command()
@click.argument("directory", type=PlainPath(path_type=Path))
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
    from brochure import api
    from brochure.checks import coverage_report

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
@click.argument("po_file", metavar="PO_FILE|-")
@click.option("--lang", required=True, metavar="CODE", help="The language of the PO file.")
@PROJECT
def translations_import(po_file: str, lang: str, project: Path) -> None:
    """Write a translated PO file (UTF-8; - reads standard input) back to <id>.<lang>.yaml files.

    Entries translated from older English, and entries naming no file or key of the
    project, are listed and not imported. Nothing is written when any entry is refused.

    \b
    Example:
      brochure translations import es.po --lang es
    """
    from brochure import api
    from brochure.errors import display_path

    done = api.import_translations(project=project, lang=lang, po_file=po_file)
    for line in done.skipped:
        click.echo(f"warning: {line}", err=True)
    for path, left in done.incomplete:
        click.echo(f"warning: {display_path(path)}: {left} string{'s' if left != 1 else ''} "
                   "not translated yet (or marked fuzzy); the file was not written", err=True)
    left_out = [f"{count} {what}" for count, what in ((done.stale, "stale"),
                                                      (done.unknown, "unknown")) if count]
    click.echo(f"{len(done.written)} written, {len(done.unchanged)} unchanged, "
               f"{len(done.incomplete)} incomplete"
               + (f"; entries not imported: {', '.join(left_out)}" if left_out else ""))


@main.group()
def manifest() -> None:
    """Work with build manifests (dist/manifest.json).

    \b
    Example:
      brochure manifest merge dist/manifest.*-of-4.json
    """


@manifest.command("merge")
@click.argument("manifests", nargs=-1, required=True,
                type=PlainPath(dir_okay=False, path_type=Path))
@click.option("--out", type=PlainPath(dir_okay=False, path_type=Path),
              help="The merged manifest (default: manifest.json beside the first one).")
def manifest_merge(manifests: tuple[Path, ...], out: Path | None) -> None:
    """Join the manifests of a sharded build into one.

    \b
    Example:
      brochure manifest merge dist/manifest.*-of-4.json
    """
    from brochure import api

    target = out or manifests[0].parent / "manifest.json"
    count = api.merge_manifests(manifests, out=out)
    click.echo(f"wrote {target} ({count} outputs from {len(manifests)} manifests)")


PASSWORD_ENV = "BROCHURE_PDF_PASSWORD"


def _personal_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options ``personalise`` and ``send`` share: whom the copy is for, what it holds."""
    options = [
        click.argument("condition"),
        click.option("--patient-file", metavar="FILE|-",
                     help="Read the patient's name from this UTF-8 text file (- reads "
                     "standard input). Without it, or --patient, the name is asked for."),
        click.option("--patient", metavar="NAME",
                     help="The patient's name as it should print on the cover. Other users "
                     "of this computer can see it while the command runs, and the shell "
                     "keeps it in its history: prefer the question or --patient-file."),
        click.option("--practitioner", metavar="ID",
                     help="Who prepared it: a practitioner's id in clinic.yaml."),
        click.option("--note-file", metavar="FILE|-",
                     help="Read the note from this UTF-8 text file (- reads standard "
                     "input, or what you type, ended by Ctrl-D)."),
        click.option("--note", help="A note for the patient, printed in a box (plain text; "
                     "**bold**, *italic* and '- ' lists work; at most 1,200 characters). "
                     "Seen by other users, as --patient is: prefer --note-file."),
        click.option("--topics", help="Comma-separated topic ids to use instead of the "
                     "condition's own (must keep safety)."),
        click.option("--layout", type=click.Choice(["handout", "large-print"]),
                     default="handout", show_default=True, help="The copy's layout."),
        click.option("--paper", type=click.Choice(["letter", "a4"]),
                     help="Paper family (default: clinic.yaml's defaults.paper)."),
        click.option("--lang", "language", metavar="CODE",
                     help="Language of the copy, such as es (default: the clinic's "
                     "defaults.language)."),
        click.option("--allow-fallback", is_flag=True,
                     help="Print parts that have no translation in the default language, "
                     "marked with their own language, instead of failing."),
        click.option("--location", help="The location whose address and phone print."),
        click.option("--password", "ask_password", is_flag=True,
                     help=f"Lock the PDF with a password (AES-256): asked for, or taken "
                     f"from ${PASSWORD_ENV}."),
        PROJECT,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _password(ask: bool) -> str | None:
    if not ask:
        return None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    import getpass
    import warnings

    from brochure.errors import UsageError

    refusal = UsageError(f"--password asks for the password on a terminal and there is none "
                         f"here; set ${PASSWORD_ENV} instead")
    # getpass without a terminal warns and reads the password from stdin, echoed; a test
    # runner that feeds the prompt replaces getpass and has no terminal to look for.
    if click.termui.hidden_prompt_func is getpass.getpass and not _terminal():
        raise refusal
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return str(click.prompt("Password for the PDF", hide_input=True,
                                    confirmation_prompt=True, err=True))
        except getpass.GetPassWarning:
            raise refusal from None


def _terminal() -> bool:
    """Return True when getpass can read a password from a terminal without echoing it."""
    try:
        import termios
    except ImportError:  # Windows: getpass reads the console
        return sys.stdin is not None and sys.stdin.isatty()
    try:  # as getpass looks: the controlling terminal, else standard input
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        try:
            termios.tcgetattr(sys.stdin.fileno())
        except (AttributeError, ValueError, OSError, termios.error):
            return False
        return True
    try:
        termios.tcgetattr(fd)
    except termios.error:
        return False
    finally:
        os.close(fd)
    return True


def _patient(patient: str | None, patient_file: str | None, note: str | None,
             note_file: str | None) -> str | None:
    """In a terminal, ask for the name when it is not given; say what the command line shows.

    Core dumps are off before the name is typed (the library keeps them off).
    """
    from brochure.render.private import no_core_dumps

    no_core_dumps()
    if sys.stdin is None or not sys.stdin.isatty():
        return patient  # a script: the library says what is missing
    shown = [name for name, value in (("--patient", patient), ("--note", note))
             if value is not None]
    if shown:
        instead = [advice for name, advice in (
            ("--patient", "leave --patient out to be asked for the name"),
            ("--note", "give the note with --note-file")) if name in shown]
        click.echo(f"warning: other users of this computer can see {' and '.join(shown)} "
                   "while the command runs, and the shell keeps the command line in its "
                   f"history; next time {' and '.join(instead)}", err=True)
    if patient is None and patient_file is None:
        patient = str(click.prompt("Patient's name (as it should print)", err=True))
    for option, value, what in (("--patient-file", patient_file, "name"),
                                ("--note-file", note_file, "note")):
        if value == "-":
            click.echo(f"Type the {what} ({option} -), then Ctrl-D on a line of its own:",
                       err=True)
    return patient


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@_personal_options
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF to write: the only file this command writes.")
def personalise(condition: str, patient_file: str | None, patient: str | None,
                practitioner: str | None, note_file: str | None, note: str | None,
                topics: str | None, layout: str, paper: str | None,
                language: str | None, allow_fallback: bool, location: str | None,
                ask_password: bool, project: Path, out: Path) -> None:
    """Make a copy of one condition's handout for one patient.

    The cover says who it is for, who prepared it and when; the note prints in a box.
    The name is asked for (or read with --patient-file), so that it is not on the command
    line. Nothing about the patient is kept: the copy is made in memory, --out is the
    only file written, and no core dump or temporary file is left.

    \b
    Example:
      brochure personalise back-pain --practitioner dana --note-file note.txt \\
        --password --out ~/Desktop/handout.pdf
      brochure personalise back-pain --patient-file name.txt --out handout.pdf
    """
    from brochure.personal import api

    patient = _patient(patient, patient_file, note, note_file)
    done = api.personalise(
        project=project, condition=condition, patient=patient, patient_file=patient_file,
        out=out,
        practitioner=practitioner, note=note, note_file=note_file, topics=_split(topics),
        layout=layout, paper=paper, language=language, allow_fallback=allow_fallback,
        location=location, password=_password(ask_password))
    _warn(done.warnings)
    lock = ", encrypted with AES-256" if done.encrypted else ""
    click.echo(f"wrote {out} ({done.pages} pages, {done.bytes // 1024} KB{lock})")


@main.command()
@_personal_options
@click.option("--to", required=True, metavar="ADDRESS", help="The patient's e-mail address.")
@click.option("--smtp-config", type=click.Path(dir_okay=False, path_type=Path),
              help="The mail server settings (default: $BROCHURE_SMTP_CONFIG, or "
              "~/.config/brochure/smtp.toml).")
@click.option("--dry-run", is_flag=True,
              help="Write the message to --out as an .eml file instead of sending it.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="With --dry-run: the .eml file to write.")
def send(condition: str, patient_file: str | None, patient: str | None,
         practitioner: str | None, note_file: str | None, note: str | None,
         topics: str | None, layout: str, paper: str | None,
         language: str | None, allow_fallback: bool, location: str | None,
         ask_password: bool, project: Path, to: str, smtp_config: Path | None,
         dry_run: bool, out: Path | None) -> None:
    """E-mail a personal copy to a patient through the clinic's own mail server.

    The copy is made as 'brochure personalise' makes it and sent once; every failure is
    one line and nothing is retried. The subject and the attachment's name leave out the
    patient's name unless clinic.yaml says 'mail: {show_patient_name: true}'.

    \b
    Example:
      brochure send back-pain --to ana@example.com --password
      brochure send back-pain --patient-file name.txt --to ana@example.com \\
        --dry-run --out /tmp/message.eml
    """
    from brochure.personal import api

    patient = _patient(patient, patient_file, note, note_file)
    done = api.send(
        project=project, condition=condition, patient=patient, patient_file=patient_file,
        to=to,
        practitioner=practitioner, note=note, note_file=note_file, topics=_split(topics),
        layout=layout, paper=paper, language=language, allow_fallback=allow_fallback,
        location=location, password=_password(ask_password), smtp_config=smtp_config,
        dry_run=dry_run, out=out)
    _warn(done.warnings)
    lock = ", encrypted with AES-256" if done.encrypted else ""
    if done.out is not None:
        click.echo(f"wrote {done.out} ({done.bytes // 1024} KB; not sent)")
    else:
        # Not the attachment's name: it holds the patient's name when the clinic turns that on.
        click.echo(f"sent the message ({done.bytes // 1024} KB{lock}) through {done.server}")
