"""``flask import-events FILE [--publish] [--dry-run] [--skip-invalid]``."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from nscal.db import db
from nscal.imports.applying import ImportReport, apply_import
from nscal.imports.guesses import describe
from nscal.imports.plan import ImportFileError
from nscal.imports.reading import decode_import, parse_import
from nscal.imports.verdicts import ImportAction, Verdict

# Fewer items than this import in a blink; more get a progress bar (on a terminal).
PROGRESS_FROM = 20
PAST = {"create": "created", "update": "updated", "change": "changed"}


@click.command("import-events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish the imported events (default: drafts).")
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid events and report the refused ones (default: all or nothing).",
)
@with_appcontext
def import_events_command(file: Path, publish: bool, dry_run: bool, skip_invalid: bool):
    """Import events from an .ics (Google, Outlook, Apple, Thunderbird) or .csv FILE.

    All or nothing: when any event or row is refused, nothing is imported and every
    refused one is listed with its line; with --skip-invalid the others are imported.
    Importing the same file again updates the events. Each event's kind, host city,
    time zone and format are listed with where they came from (the file, or nscal's
    guess from the title, the place and the link).
    """
    try:
        text, encoding_note = decode_import(file.read_bytes())
        plan = parse_import(text, file.name)
    except (ImportFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if encoding_note:
        plan.note(1, encoding_note)

    show_bar = len(plan.items) > PROGRESS_FROM and sys.stdout.isatty()
    with click.progressbar(length=len(plan.items), label="Importing", hidden=not show_bar) as bar:
        report = apply_import(
            plan,
            publish=publish,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=bar.update,
        )

    echo_verdicts(report, file)
    if not report.ok and not report.imports_something:
        db.session.rollback()
        raise click.ClickException(report.summary())
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(report.summary())


def echo_verdicts(report: ImportReport, file: Path) -> None:
    """The file's notes, then every component by its verdict, with counts; the refused
    ones (line and reason) on stderr."""
    verdicts = report.verdicts
    for note in verdicts.file_notes:
        click.echo(f"{file}: line {note.line}: {note.message}")
    click.echo(
        f"{report.heading(Verdict.as_is)}: {len(verdicts.as_is)}; "
        f"with a note: {len(verdicts.with_note)}; refused: {len(verdicts.refused)}."
    )
    imported = ((Verdict.as_is, verdicts.as_is), (Verdict.with_note, verdicts.with_note))
    for verdict, group in imported:
        if not group:
            continue
        click.echo(f"{report.heading(verdict)} ({len(group)}):")
        for component in group:
            for action in component.actions:
                click.echo(f"  {_describe(action, report.dry_run)}")
            if not component.actions:
                click.echo(f"  line {component.line}: “{component.title}”, nothing to change")
            for message in component.messages:
                click.echo(f"    {file}: line {component.line}: {message}")
            if component.line in report.guesses:
                click.echo(f"    {describe(report.guesses[component.line])}")
    if verdicts.refused:
        click.echo(f"{report.heading(Verdict.refused)} ({len(verdicts.refused)}):", err=True)
        for component in verdicts.refused:
            named = f" (“{component.title}”)" if component.title else ""
            for message in component.messages:
                click.echo(f"{file}: line {component.line}: {message}{named}", err=True)


def _describe(action: ImportAction, dry_run: bool) -> str:
    verb = f"would {action.verb}" if dry_run else PAST[action.verb]
    detail = f" ({action.detail})" if action.detail else ""
    return f"line {action.line}: {verb} “{action.title}”, {action.when}{detail}"
