"""Throttling of failed logins and of reset requests, counted in the database.

The counters live in ``login_throttle`` so that every gunicorn worker and every app
server behind the load balancer sees the same attempts. A counter allows a few
failures; after that each failure blocks its key for a short time that doubles up to
a maximum, so that an attacker gets few guesses while a person whose address is
attacked is never locked out for long.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql, sqlite

from nscal.accounts.models import LoginThrottle, ThrottleScope, normalize_email
from nscal.db import db, take_sqlite_write_lock, utcnow

UNKNOWN_ADDRESS = "unknown"


class TooManyAttempts(Exception):
    """A key is blocked for now; the message says for how long, in words for people."""

    def __init__(self, wait: timedelta):
        self.retry_after = max(1, math.ceil(wait.total_seconds()))
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(
            ngettext(
                "Too many attempts. Try again in %(num)d minute.",
                "Too many attempts. Try again in %(num)d minutes.",
                minutes,
            )
        )


@dataclass(frozen=True)
class Counter:
    scope: ThrottleScope
    key: str
    limit: int


def login_counters(email: str, client_address: str | None) -> list[Counter]:
    """The counters of a login: the account typed and the client it came from."""
    config = current_app.config
    return [
        Counter(
            ThrottleScope.login_account, _account_key(email), config["LOGIN_THROTTLE_ACCOUNT_LIMIT"]
        ),
        Counter(
            ThrottleScope.login_address,
            _address_key(client_address),
            config["LOGIN_THROTTLE_ADDRESS_LIMIT"],
        ),
    ]


def reset_counters(email: str | None, client_address: str | None) -> list[Counter]:
    """The counters of a password reset: the account asked for (if any) and the client."""
    config = current_app.config
    counters = [
        Counter(
            ThrottleScope.reset_address,
            _address_key(client_address),
            config["RESET_THROTTLE_ADDRESS_LIMIT"],
        ),
    ]
    if email is not None:
        counters.append(
            Counter(
                ThrottleScope.reset_account,
                _account_key(email),
                config["RESET_THROTTLE_ACCOUNT_LIMIT"],
            )
        )
    return counters


def check(counters: list[Counter]) -> None:
    """Raise ``TooManyAttempts`` while any of the counters blocks."""
    now = utcnow()
    rows = db.session.execute(sa.select(LoginThrottle).where(_any_of(counters))).scalars()
    waits = [
        row.blocked_until - now for row in rows if row.blocked_until and row.blocked_until > now
    ]
    if waits:
        raise TooManyAttempts(max(waits))


def count_failure(counters: list[Counter]) -> None:
    """Count one more failure on each counter, blocking those past their limit; flushes.

    The rows are locked (row locks on PostgreSQL, the write lock on SQLite) so that
    failures arriving at the same time on several workers all count.
    """
    config = current_app.config
    window = config["LOGIN_THROTTLE_WINDOW"]
    now = utcnow()
    take_sqlite_write_lock(db.session)
    # Always in the same order, so two requests locking the same rows cannot deadlock.
    for counter in sorted(counters, key=lambda c: (c.scope.value, c.key)):
        row = _locked_row(counter, now)
        quiet_since = max(row.last_failure_at, row.blocked_until or row.last_failure_at)
        if now - quiet_since >= window:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= counter.limit:
            row.blocked_until = now + _block_length(row.failures - counter.limit)
    db.session.flush()


def clear(counter: Counter) -> None:
    """Forget a counter's failures (a successful login clears its account's)."""
    db.session.execute(sa.delete(LoginThrottle).where(_any_of([counter])))


def forget_stale_counters() -> int:
    """Delete the counters that would start from zero anyway; returns how many.

    Meant for a periodic purge: attempts on many made-up addresses leave a row each.
    """
    since = utcnow() - current_app.config["LOGIN_THROTTLE_WINDOW"]
    result = db.session.execute(
        sa.delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < since,
            sa.or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < since),
        )
    )
    return result.rowcount


def _block_length(earlier_blocks: int) -> timedelta:
    config = current_app.config
    first, longest = config["LOGIN_THROTTLE_FIRST_BLOCK"], config["LOGIN_THROTTLE_MAX_BLOCK"]
    return min(first * 2 ** min(earlier_blocks, 30), longest)


def _locked_row(counter: Counter, now: datetime) -> LoginThrottle:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Create the row unless another request already did, then lock whichever exists.
    db.session.execute(
        insert(LoginThrottle)
        .values(scope=counter.scope, key=counter.key, failures=0, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
    )
    return db.session.execute(
        sa.select(LoginThrottle)
        .where(_any_of([counter]))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _any_of(counters: list[Counter]):
    return sa.or_(
        *(
            sa.and_(LoginThrottle.scope == counter.scope, LoginThrottle.key == counter.key)
            for counter in counters
        )
    )


def _account_key(email: str) -> str:
    return normalize_email(email)[:254]


def _address_key(client_address: str | None) -> str:
    return (client_address or UNKNOWN_ADDRESS)[:254]
