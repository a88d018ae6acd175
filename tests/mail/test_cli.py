"""``flask send-mail``: a summary, exit 0 unless the settings are broken, a clean worker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from nscal.mail.models import MailStatus
from tests.mail.conftest import outbox_rows


def test_send_mail_delivers_and_sums_up(runner, smtp_server, queue_mail):
    queue_mail("aino@example.org")
    queue_mail("mats@example.org")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "sent 2, will retry 0, failed 0"
    assert len(smtp_server.inbox.envelopes) == 2


def test_send_mail_with_the_server_down_reports_and_keeps_the_mail(runner, smtp, queue_mail):
    queue_mail("aino@example.org")
    queue_mail("mats@example.org")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "sent 0, will retry 2, failed 0" in result.stdout
    assert "2 message(s) not delivered" in result.stderr
    assert "Connection refused" in result.stderr
    assert [row.status for row in outbox_rows()] == [MailStatus.pending] * 2


def test_send_mail_with_broken_settings_exits_non_zero(app, runner, smtp_server, queue_mail):
    app.config["MAIL_USE_TLS"] = True  # the server has no STARTTLS
    queue_mail()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "mail configuration:" in result.stderr and "STARTTLS" in result.stderr
    [row] = outbox_rows()
    assert (row.status, row.attempts) == (MailStatus.pending, 0)


def test_send_mail_with_nothing_to_do(runner):
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "sent 0, will retry 0, failed 0"


def test_the_worker_delivers_as_mail_comes_in_and_stops_cleanly_on_sigterm(
    app, database_url, queue_mail, tmp_path
):
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
        queue_mail("aino@example.org")
        mail = instance / "mail"
        deadline = time.monotonic() + 30
        while not (mail.is_dir() and list(mail.glob("*.eml"))):
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker delivered nothing"
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "sent 1, will retry 0, failed 0" in out
    assert out.rstrip().endswith("send-mail: stopped.")
    assert [row.status for row in outbox_rows()] == [MailStatus.sent]
