"""``flask import-events FILE [--publish] [--dry-run]``."""

import click


@click.command("import-events")
@click.argument("file")
@click.option("--publish", is_flag=True)
@click.option("--dry-run", is_flag=True)
def import_events_command(file, publish, dry_run):
    """Import events from an .ics or .csv file (not written yet)."""
    raise click.ClickException("import-events is not available yet")
