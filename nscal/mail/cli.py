"""``flask send-mail``: deliver the mail outbox, once or as a long-running worker."""

import signal
import threading
from collections import Counter
from contextlib import contextmanager

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from nscal.mail.outbox import DeliveryReport, deliver_due
from nscal.mail.sender import MailConfigError
from nscal.manage.cli import queue_daily_digests
from nscal.people.cli import daily_purge
from nscal.reminders.cli import queue_due_reminders

BATCH = 100


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running and deliver as mail comes in (a worker).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="With --loop: seconds between looks at the outbox.",
)
@with_appcontext
def send_mail_command(loop: bool, interval: float):
    """Deliver the mail that is due; failures are retried later with back-off.

    Exits non-zero only when the mail settings are broken (login refused, no STARTTLS
    …); when the mail server is down the mail stays queued for the next run.
    """
    if not loop:
        _echo_report(_deliver(), quiet=False)
        return
    stop = threading.Event()
    with _stopped_by_signals(stop):
        click.echo(f"send-mail: delivering every {interval:g} s; Ctrl-C or SIGTERM stops.")
        while not stop.is_set():
            try:
                queue_due_reminders()
                queue_daily_digests()  # the coordinators' digest, once a day each
                report = _deliver(should_stop=stop.is_set)
                daily_purge()  # once a day across every worker (nscal/people/retention.py)
            except sa.exc.OperationalError as exc:  # the database restarts: wait, go on
                click.echo(f"send-mail: database unavailable: {exc.orig}", err=True)
                stop.wait(interval)
                continue
            _echo_report(report, quiet=True)
            if report.attempted < BATCH:  # a full batch means more may be waiting
                stop.wait(interval)
    click.echo("send-mail: stopped.")


def _deliver(**options) -> DeliveryReport:
    try:
        return deliver_due(limit=BATCH, **options)
    except MailConfigError as exc:
        raise click.ClickException(f"mail configuration: {exc}") from None


def _echo_report(report: DeliveryReport, *, quiet: bool) -> None:
    if quiet and not report.attempted:
        return
    for reason, count in Counter(reason for _recipient, reason in report.errors).items():
        click.echo(f"{count} message(s) not delivered: {reason}", err=True)
    click.echo(str(report))


@contextmanager
def _stopped_by_signals(stop: threading.Event):
    """SIGTERM and Ctrl-C finish the message at hand, then stop; a second one aborts."""

    def handle(signum, _frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    signals = (signal.SIGTERM, signal.SIGINT)
    try:
        previous = {signum: signal.signal(signum, handle) for signum in signals}
    except ValueError:  # not the main thread: the caller stops us some other way
        previous = {}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
