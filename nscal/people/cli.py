"""``flask purge``, and the mail worker's daily run of it."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from nscal.db import db
from nscal.people.retention import purge, purge_if_due


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; remove nothing.")
@with_appcontext
def purge_command(dry_run: bool):
    """Remove what the retention settings (NSCAL_RETENTION_*) no longer allow to keep.

    Cancelled and rejected registrations, registration notes and the text of sent mail
    after their months; stale throttling counters. Confirmed registrations stay.
    """
    report = purge(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was removed. It would remove:")
    else:
        db.session.commit()
        click.echo("Purged:")
    for line in report.lines():
        click.echo(f"  {line}")


def daily_purge() -> None:
    """For ``send-mail --loop``: the purge, once a day across all workers; never stops
    the worker (a failure is reported and tried again at the next look)."""
    try:
        report = purge_if_due()
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("daily purge failed: %s", exc)
        click.echo(f"send-mail: daily purge failed, will try again: {exc}", err=True)
        return
    if report is not None:
        click.echo("send-mail: daily purge: " + ", ".join(report.lines()))
