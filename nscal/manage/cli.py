"""``flask send-digest``: the coordinators' daily digest of requests for a place (for
cron), and the same look for the mail worker's every round (``send-mail --loop``)."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from nscal.db import db
from nscal.manage.digest import send_digests


@click.command("send-digest")
@with_appcontext
def send_digest_command():
    """Queue today's digest for each coordinator with new requests for a place (at most
    one a day each; ``send-mail`` delivers them). Safe to run from several machines."""
    count = send_digests()
    click.echo(f"{count} digest(s) queued.")


def queue_daily_digests() -> int:
    """The mail worker's round: queue the digests that are due; a failure is logged, not
    fatal, so the outbox is still delivered."""
    try:
        count = send_digests()
    except sa.exc.OperationalError:  # the database is away: the worker waits for it
        db.session.rollback()
        raise
    except Exception:
        db.session.rollback()
        current_app.logger.exception("queueing the coordinators' digests failed")
        return 0
    if count:
        click.echo(f"send-mail: {count} coordinators' digest(s) queued.")
    return count
