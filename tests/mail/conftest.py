"""A real SMTP server on loopback (aiosmtpd), and an app that delivers to it."""

import asyncio
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from nscal.db import db
from nscal.mail.messages import build_message
from nscal.mail.models import OutboxMessage
from nscal.mail.outbox import build_deferred, enqueue


class Inbox:
    """The server's handler: keeps what arrives; can refuse recipients or be slow."""

    def __init__(self):
        self.envelopes = []
        self.refusals: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 …"
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


class SMTPServer:
    """aiosmtpd on 127.0.0.1:``port``; until ``start()`` the port is closed (an outage)."""

    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> "SMTPServer":
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """The SMTP server, not started yet; the app is set to deliver to it."""
    server = SMTPServer(free_port())
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5
    )
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp):
    """The SMTP server, listening."""
    return smtp.start()


@pytest.fixture
def queue_mail(app):
    """Queue and commit a plain message; returns its outbox row."""

    def queue(to: str = "aino@example.org", subject: str = "Hello", body: str = "Hei!\n"):
        row = enqueue(build_message(to, subject, body))
        db.session.commit()
        return row

    return queue


def outbox_rows() -> list[OutboxMessage]:
    """The outbox as the database has it now (a fresh transaction: SQLite reads see a
    snapshot from their transaction's start), every message built (registration mail
    is queued as a reference that send-mail builds)."""
    db.session.commit()
    build_deferred()
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))
