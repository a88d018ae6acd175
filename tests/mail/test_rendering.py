"""Mail from templates: one layout, plain text plus HTML, built outside requests too."""

from email import message_from_bytes, policy

from flask import has_request_context

from nscal.mail.messages import build_message
from nscal.mail.rendering import render_mail
from tests.mail.test_messages import calendar

EVENT = {
    "title": "<b>Malmö & co</b>",
    "when": "Wed 13 Jan 2027, 10:00–11:30 CET",
    "place": "City Hall, Malmö",
    "online_url": "",
    "format_label": "In person",
    "url": "https://calendar.test/events/7",
}


def render(template="registration_confirmed", **context):
    values = {"name": "Åsa Öberg", "event": EVENT, **context}
    message = render_mail(template, to="asa@example.org", language="en", **values)
    return message_from_bytes(bytes(message), policy=policy.default)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def test_mail_renders_without_a_request(app):
    # The CLI, imports and the mail worker build mail with no request (nor anyone
    # signed in): the app's context processors must not be needed.
    assert not has_request_context()
    message = render()
    assert message["Subject"] == "You are registered: <b>Malmö & co</b>"
    assert text_of(message).startswith("Hello Åsa Öberg,\n\nYour place is confirmed.")


def test_text_is_verbatim_and_html_is_escaped(app):
    message = render()
    assert "<b>Malmö & co</b>\nWhen:  Wed 13 Jan 2027" in text_of(message)
    html = html_of(message)
    assert "&lt;b&gt;Malmö &amp; co&lt;/b&gt;" in html
    assert "<b>Malmö" not in html


def test_every_mail_has_the_layouts_greeting_and_footer(app):
    message = render()
    text = text_of(message)
    assert text.endswith(
        "More:  https://calendar.test/events/7\n\n"
        "Your events: https://calendar.test/my/events\n\n"
        "Nordic Safe Cities\n"
    )
    html = html_of(message)
    assert "<p" in html and "Hello Åsa Öberg," in html
    assert '<a href="https://calendar.test/my/events"' in html
    assert "Nordic Safe Cities" in html


def test_a_subject_is_one_line_whatever_the_title(app):
    title = "Summit\r\nBcc: everyone@example.org\n  2027"
    message = render(event={**EVENT, "title": title})
    assert message["Subject"] == "You are registered: Summit Bcc: everyone@example.org 2027"
    assert message["Bcc"] is None
    assert "Summit\nBcc: everyone@example.org\n  2027\nWhen:" in text_of(message)  # the body


def test_html_without_calendar_is_an_alternative_of_text_and_html(app):
    message = build_message("a@example.org", "Hello", "Hei!\n", html="<p>Hei!</p>\n")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


def test_html_with_a_calendar_has_the_shape_google_calendar_sends(app):
    ics = calendar("REQUEST")
    message = build_message(
        "a@example.org", "Invitation", "See you!\n", html="<p>See you!</p>\n", calendar=ics
    )
    alternative, attachment = message.iter_parts()
    text, html, inline = alternative.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert inline.get_content_type() == "text/calendar"
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_payload(decode=True) == ics
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ics
