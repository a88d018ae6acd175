"""When someone asks for a place, the coordinators hear of it: one digest a day each,
listing the requests that are new since their last digest, however many workers run."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.mail.models import OutboxMessage
from nscal.manage.digest import send_digests
from nscal.manage.models import CoordinatorDigest
from tests.manage.conftest import ask_for_a_place

MORNING = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


def digests() -> list[OutboxMessage]:
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.subject.contains("for your decision"))
            .order_by(OutboxMessage.id)
        )
    )


def body(row: OutboxMessage) -> str:
    from email import message_from_bytes, policy

    message = message_from_bytes(row.message, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_request_reaches_every_coordinator_once_a_day(clock, network, make_user, approval_event):
    clock.move_to(MORNING)
    make_user("cora@example.org", name="Cora", account_role=AccountRole.coordinator)
    make_user("ada@example.org", name="Ada Admin", account_role=AccountRole.admin)
    make_user("member@example.org")
    summit = approval_event()
    mia = make_user("mia@example.org", name="Mia Mayor", city="malmo", participant_role="mayor")
    ask_for_a_place(summit, mia)

    assert send_digests() == 2
    rows = digests()
    assert sorted(row.recipient for row in rows) == ["ada@example.org", "cora@example.org"]
    assert rows[0].subject == "1 request for a place waits for your decision"
    text = body(rows[0])
    assert "Mia Mayor, mayor, Malmö: Mayors' summit" in text
    assert f"https://calendar.test/manage/events/{summit.id}/registrations" in text

    # Later the same day: another request waits for tomorrow's digest.
    clock.advance(timedelta(hours=3))
    leo = make_user("leo@example.org", name="Leo Mayor", city="oslo", participant_role="mayor")
    ask_for_a_place(summit, leo)
    assert send_digests() == 0
    assert len(digests()) == 2

    clock.advance(timedelta(days=1))
    assert send_digests() == 2
    tomorrow = digests()[2:]
    assert [row.subject for row in tomorrow] == [
        "1 request for a place waits for your decision"
    ] * 2
    assert "Leo Mayor" in body(tomorrow[0])
    assert "Mia Mayor" not in body(tomorrow[0])  # already in yesterday's digest

    # Nothing new: no mail at all.
    clock.advance(timedelta(days=1))
    assert send_digests() == 0


def test_a_request_decided_before_the_digest_is_left_out(clock, network, make_user, approval_event):
    from nscal.registrations.models import RegistrationStatus
    from nscal.registrations.services import set_registration_status

    clock.move_to(MORNING)
    make_user("cora@example.org", account_role=AccountRole.coordinator)
    summit = approval_event()
    registration = ask_for_a_place(
        summit, make_user("mia@example.org", city="malmo", participant_role="mayor")
    )
    set_registration_status(registration.id, RegistrationStatus.confirmed)
    db.session.commit()
    assert send_digests() == 0


def test_the_day_is_the_coordinators_own(clock, network, make_user, approval_event):
    # 23:30 UTC on 4 January is already 5 January in Helsinki: a new day there.
    clock.move_to(datetime(2027, 1, 4, 21, 0, tzinfo=UTC))
    make_user("aino@example.org", account_role=AccountRole.coordinator, city="helsinki")
    summit = approval_event()
    ask_for_a_place(summit, make_user("m1@example.org", participant_role="mayor"))
    assert send_digests() == 1  # 23:00 on 4 January in Helsinki
    clock.advance(timedelta(hours=2, minutes=30))
    ask_for_a_place(summit, make_user("m2@example.org", participant_role="mayor"))
    assert send_digests() == 1  # 01:30 on 5 January in Helsinki: the next day's digest
    days = db.session.scalars(sa.select(CoordinatorDigest.day).order_by(CoordinatorDigest.id))
    assert [day.isoformat() for day in days] == ["2027-01-04", "2027-01-05"]


def test_two_workers_at_once_send_each_digest_once(app, clock, network, make_user, approval_event):
    clock.move_to(MORNING)
    coordinators = [
        make_user(f"c{n}@example.org", account_role=AccountRole.coordinator) for n in range(5)
    ]
    summit = approval_event()
    for n in range(3):
        ask_for_a_place(summit, make_user(f"m{n}@example.org", participant_role="mayor"))

    def run_two_workers() -> list[int]:
        start = threading.Barrier(2)
        counts, errors = [], []

        def worker():
            with app.app_context():
                start.wait()
                try:
                    counts.append(send_digests())
                except Exception as exc:  # reported by the assertion below
                    errors.append(repr(exc))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        return counts

    assert sum(run_two_workers()) == len(coordinators)
    assert sorted(row.recipient for row in digests()) == sorted(c.email for c in coordinators)
    assert "3 requests for a place wait" in digests()[0].subject

    clock.advance(timedelta(days=1))
    ask_for_a_place(summit, make_user("late@example.org", participant_role="mayor"))
    assert sum(run_two_workers()) == len(coordinators)
    assert len(digests()) == 2 * len(coordinators)


def test_the_command_queues_the_digests(runner, clock, network, make_user, approval_event):
    clock.move_to(MORNING)
    make_user("cora@example.org", account_role=AccountRole.coordinator)
    ask_for_a_place(approval_event(), make_user("m@example.org", participant_role="mayor"))
    result = runner.invoke(args=["send-digest"])
    assert result.exit_code == 0, result.output
    assert "1 digest(s) queued." in result.output
    result = runner.invoke(args=["send-digest"])
    assert "0 digest(s) queued." in result.output


def test_the_mail_worker_queues_and_delivers_the_digest(
    app, database_url, network, make_user, approval_event, tmp_path
):
    """A real ``send-mail --loop`` process (on the real clock): the digest goes out."""
    make_user("cora@example.org", account_role=AccountRole.coordinator)
    ask_for_a_place(approval_event(), make_user("m@example.org", participant_role="mayor"))
    instance = tmp_path / "worker-instance"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NSCAL_")},
        "NSCAL_DATABASE_URL": database_url,
        "NSCAL_INSTANCE_PATH": str(instance),
        "NSCAL_SECRET_KEY": "worker-test-secret",
        "NSCAL_MAIL_BACKEND": "file",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "nscal",
            "send-mail",
            "--loop",
            "--interval",
            "0.2",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        mail = instance / "mail"
        deadline = time.monotonic() + 60
        while not (mail.is_dir() and len(list(mail.glob("*.eml"))) >= 2):  # theirs and ours
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker delivered nothing"
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "1 coordinators' digest(s) queued." in out
    delivered = [path.read_text() for path in (instance / "mail").glob("*.eml")]
    assert [text for text in delivered if "for your decision" in text]
    assert [row.recipient for row in digests()] == ["cora@example.org"]
