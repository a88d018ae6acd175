"""Deliver one message through the configured backend (file, console, smtp, memory)."""

import smtplib
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

from nscal.db import utcnow


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="nscal")
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    """Send ``message`` now; raises ``OSError``/``smtplib.SMTPException`` on failure."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "memory":  # tests read what was sent from here
        current_app.extensions.setdefault("nscal_outbox", []).append(message)
    elif backend == "console":
        print(message.as_string(), file=sys.stderr)
    elif backend == "file":
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
        (folder / f"{stamp}.eml").write_bytes(bytes(message))
    else:
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)


def sent_messages() -> list[EmailMessage]:
    """What the memory backend has collected (tests)."""
    return current_app.extensions.setdefault("nscal_outbox", [])
