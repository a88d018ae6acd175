"""``flask import-events FILE [--publish] [--dry-run]``."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from nscal.db import db
from nscal.imports.applying import apply_import
from nscal.imports.plan import ImportFileError
from nscal.imports.reading import decode_import, parse_import

# Fewer items than this import in a blink; more get a progress bar (on a terminal).
PROGRESS_FROM = 20


@click.command("import-events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish the imported events (default: drafts).")
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@with_appcontext
def import_events_command(file: Path, publish: bool, dry_run: bool):
    """Import events from an .ics (Google, Outlook, Apple, Thunderbird) or .csv FILE.

    All or nothing: when any event or row is bad, nothing is imported and every bad
    one is listed with its line. Importing the same file again updates the events.
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
        report = apply_import(plan, publish=publish, dry_run=dry_run, progress=bar.update)

    for note in report.notes:
        click.echo(f"{file}: line {note.line}: {note.message}")
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(f"{file}: line {error.line}: {error.message}", err=True)
        raise click.ClickException(report.summary())
    if dry_run:
        db.session.rollback()
        for action in report.actions:
            detail = f" ({action.detail})" if action.detail else ""
            click.echo(
                f"line {action.line}: would {action.verb} “{action.title}”, {action.when}{detail}"
            )
    else:
        db.session.commit()
    click.echo(report.summary())
