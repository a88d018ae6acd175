"""Building outgoing mail: plain text with an HTML alternative, and iTIP invitations
calendar apps understand."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import icalendar
from flask import current_app

from nscal.db import utcnow


def build_message(
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    calendar: bytes | None = None,
    method: str | None = None,
) -> EmailMessage:
    """A complete message from ``MAIL_SENDER`` to ``to``, ready for ``outbox.enqueue``.

    With ``calendar`` (an iCalendar object as bytes, e.g. ``METHOD:REQUEST`` or
    ``METHOD:CANCEL``) the message is shaped the way Google Calendar sends invitations,
    which is what Outlook, Gmail and Apple Mail turn into accept/decline buttons::

        multipart/mixed
          multipart/alternative
            text/plain                       the body
            text/html                        ``html``, when given
            text/calendar; method=REQUEST    the calendar (iTIP)
          application/ics  invite.ics        the same bytes, for clients that want a file

    Without a calendar the message is ``text/plain``, or ``multipart/alternative``
    (text/plain, text/html) with ``html``. Build templated mail with
    ``nscal.mail.rendering.render_mail``, which calls this.

    The MIME ``method=`` always equals the calendar's own ``METHOD``; ``method`` may be
    left out (it is read from the calendar) and a mismatch is a ``ValueError``.
    """
    sender = current_app.config["MAIL_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    # RFC 3834: machine-sent, so vacation responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if calendar is None:
        if method is not None:
            raise ValueError("method is only meaningful with a calendar")
        return message
    method = _itip_method(calendar, method)
    # Base64 keeps the calendar's CRLF line ends and UTF-8 exactly as they were built.
    message.add_alternative(
        calendar,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"charset": "utf-8", "method": method},
    )
    message.add_attachment(calendar, maintype="application", subtype="ics", filename="invite.ics")
    return message


def _domain_of(sender: str) -> str:
    # Message-IDs under our own domain; also spares make_msgid a slow getfqdn() lookup.
    _name, address = parseaddr(sender)
    return address.rpartition("@")[2] or "nscal"


def _itip_method(calendar: bytes, method: str | None) -> str:
    try:
        declared = str(icalendar.Calendar.from_ical(calendar).get("METHOD", "")).upper()
    except ValueError as exc:
        raise ValueError(f"the calendar is not valid iCalendar: {exc}") from None
    if not declared:
        raise ValueError("a calendar sent by mail needs a METHOD (REQUEST, CANCEL …)")
    if method is not None and method.upper() != declared:
        raise ValueError(f"method {method!r} does not match the calendar's METHOD:{declared}")
    return declared
