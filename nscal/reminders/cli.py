"""``flask send-reminders``: queue the reminders that are due (for cron), and the same
check for the mail worker's every round (``send-mail --loop``)."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from nscal.db import db
from nscal.reminders.services import send_due_reminders


@click.command("send-reminders")
@with_appcontext
def send_reminders_command():
    """Queue the reminders that are due, one mail per confirmed participant, in the
    outbox (``send-mail`` delivers them). Safe to run from several machines at once."""
    count = send_due_reminders()
    click.echo(f"{count} reminder(s) queued.")


def queue_due_reminders() -> int:
    """The mail worker's round: queue what is due; a failure is logged, not fatal, so
    the outbox is still delivered."""
    try:
        count = send_due_reminders()
    except sa.exc.OperationalError:  # the database is away: the worker waits for it
        db.session.rollback()
        raise
    except Exception:
        db.session.rollback()
        current_app.logger.exception("queueing reminders failed")
        return 0
    if count:
        click.echo(f"send-mail: {count} reminder(s) queued.")
    return count
