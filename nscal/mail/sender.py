"""The mail backends (file, console, smtp, memory) the outbox delivers through.

``open_transport()`` gives the configured one. Its ``send(raw)`` takes a complete
message as bytes and either returns (delivered) or raises:

- ``DeliveryError``: this message did not go out; ``permanent`` when trying again
  cannot help (the server refused the recipient for good), else try again later;
- ``MailConfigError``: the settings are wrong (login refused, no STARTTLS, sender
  refused …) and no message can go out until an operator fixes them.
"""

import os
import secrets
import smtplib
import ssl
import sys
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from nscal.db import utcnow

SENT_MAIL_KEY = "nscal_sent_mail"


class DeliveryError(Exception):
    """One message could not be delivered; ``permanent``: retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class MailConfigError(Exception):
    """The mail settings are broken; nothing can be delivered until they are fixed."""


def open_transport() -> "Transport":
    """The configured backend; use it as a context manager so connections are closed."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        return MemoryTransport(current_app.extensions.setdefault(SENT_MAIL_KEY, []))
    if backend == "console":
        return ConsoleTransport()
    if backend == "file":
        return FileTransport(Path(current_app.instance_path) / "mail")
    return SMTPTransport(
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        timeout=config["MAIL_TIMEOUT"],
        use_tls=config["MAIL_USE_TLS"],
        use_ssl=config["MAIL_USE_SSL"],
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
    )


def sent_messages() -> list[EmailMessage]:
    """What the memory backend has delivered so far (tests)."""
    return current_app.extensions.setdefault(SENT_MAIL_KEY, [])


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


class Transport:
    def send(self, raw: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; the default has none."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class MemoryTransport(Transport):
    """Keeps the parsed messages in a list (tests read them with ``sent_messages``)."""

    def __init__(self, store: list[EmailMessage]):
        self.store = store

    def send(self, raw: bytes) -> None:
        self.store.append(parse(raw))


class ConsoleTransport(Transport):
    def send(self, raw: bytes) -> None:
        print(raw.decode("utf-8", "replace"), file=sys.stderr, flush=True)


class FileTransport(Transport):
    """One ``.eml`` file per message, written whole (a reader never sees half a file)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, raw: bytes) -> None:
        name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}.eml"
        partial = self.folder / f".{name}.tmp"
        try:
            self.folder.mkdir(exist_ok=True)
            partial.write_bytes(raw)
            os.replace(partial, self.folder / name)
        except PermissionError as exc:
            raise MailConfigError(f"cannot write mail to {self.folder}: {exc.strerror}") from None
        except OSError as exc:  # a full disk empties again
            raise DeliveryError(f"cannot write mail to {self.folder}: {exc.strerror}") from None


class SMTPTransport(Transport):
    """One connection for a whole batch, opened on the first message.

    When the server cannot be reached, every later message of the batch fails at once
    with the same reason instead of waiting for its own connection timeout.
    """

    def __init__(self, *, host, port, timeout, use_tls, use_ssl, username, password):
        self.host, self.port, self.timeout = host, port, timeout
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def send(self, raw: bytes) -> None:
        smtp = self._connection()
        try:
            refused = smtp.send_message(parse(raw))
        except smtplib.SMTPRecipientsRefused as exc:
            # A 5xx is the server's final word on the address ("no such user"): trying
            # again cannot help, so the message fails now instead of after every retry.
            codes = [code for code, _text in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {_recipients_text(exc.recipients)}",
                permanent=all(500 <= code < 600 for code in codes),
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            if 500 <= exc.smtp_code < 600:
                raise MailConfigError(
                    f"the mail server refuses the sender {exc.sender}: {_reply(exc)}"
                ) from None
            raise DeliveryError(f"sender refused for now: {_reply(exc)}") from None
        except smtplib.SMTPDataError as exc:
            # 5xx after DATA: this message is refused (too large, rejected content).
            raise DeliveryError(
                f"message refused: {_reply(exc)}", permanent=500 <= exc.smtp_code < 600
            ) from None
        except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address, no SMTPUTF8
            raise DeliveryError(f"the mail server cannot take it: {exc}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()  # the connection may be half dead; the next message reconnects
            raise DeliveryError(f"{self.host}:{self.port}: {_describe(exc)}") from None
        if refused:  # some recipients took it: never resend to those
            current_app.logger.warning("mail refused for %s", _recipients_text(refused))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._unreachable is not None:
            raise DeliveryError(self._unreachable)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                self._unreachable = (
                    f"mail server {self.host}:{self.port} not available: {_describe(exc)}"
                )
                raise DeliveryError(self._unreachable) from None
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        # Verify the server's certificate (smtplib's own default does not).
        context = ssl.create_default_context()
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except ssl.SSLCertVerificationError as exc:
            raise MailConfigError(f"{self.host}: certificate not trusted: {exc}") from None
        try:
            if self.use_tls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except smtplib.SMTPNotSupportedError as exc:
            smtp.close()
            raise MailConfigError(f"{self.host}:{self.port}: {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            smtp.close()
            raise MailConfigError(f"{self.host}: certificate not trusted: {exc}") from None
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            if 500 <= exc.smtp_code < 600:
                raise MailConfigError(
                    f"{self.host}:{self.port} refused the login {self.username!r}: {_reply(exc)}"
                ) from None
            raise
        except BaseException:
            smtp.close()
            raise
        return smtp


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text or exc.smtp_error}".strip()


def _recipients_text(recipients: dict) -> str:
    return "; ".join(
        f"{address} ({code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text})"
        for address, (code, text) in recipients.items()
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
