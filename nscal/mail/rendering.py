"""Mail from templates: ``templates/mail/<name>.txt`` and ``<name>.html`` under one layout.

Each kind of mail is a pair of templates extending ``mail/_layout.txt`` and
``mail/_layout.html`` (greeting, body, footer with the network's name and the "Your
events" link). The subject is the ``{% block subject %}`` of the ``.txt`` template, so
all the words of one mail live in one file a translator can read top to bottom.

Each mail is written in its recipient's language (``language``, from
``nscal.i18n.language_of``), whoever caused it: the templates, the dates and the links
(``?lang=``) follow it. Values built before (an event's times, a link) must be built
in it too: callers build them inside ``with in_language(language):``.

Mail is built inside requests and outside them (``flask send-mail``, imports, the CLI),
so templates are rendered straight from the Jinja environment: the app's context
processors, which read the request, the session and the signed-in person, are not run,
and mail templates must not use ``request``, ``session``, ``current_user`` or
``url_for`` (links come in the context, absolute on ``BASE_URL``).
"""

from email.message import EmailMessage

from flask import current_app
from jinja2 import Environment, Template

from nscal.config import NETWORK_NAME
from nscal.i18n import current_language, in_language
from nscal.mail.messages import build_message
from nscal.urls import external_url

_ENVIRONMENT_KEY = "nscal.mail_jinja"


def render_mail(
    template_name: str,
    *,
    to: str,
    language: str,
    calendar: bytes | None = None,
    method: str | None = None,
    **context,
) -> EmailMessage:
    """The message ``mail/<template_name>`` renders for ``to``, ready for ``outbox.enqueue``.

    ``context`` is what the templates show (plain values; stored text is fine as it
    is: the ``.txt`` part shows it verbatim, the ``.html`` part escapes it, and the
    subject is folded onto one line). It is written in ``language`` (``language_of``
    the recipient). Every template also gets ``network_name``, ``my_events_url``,
    ``home_url``, ``subject`` and ``language``. ``calendar`` and ``method`` are
    passed to ``build_message`` (an iTIP invitation or cancellation).
    """
    environment = _mail_environment()
    with in_language(language):
        values = {
            "network_name": NETWORK_NAME,
            "my_events_url": external_url("registrations.mine"),
            "home_url": external_url("main.index"),
            **context,
            "language": current_language(),
        }
        text_template = environment.get_template(f"mail/{template_name}.txt")
        values["subject"] = _subject(text_template, values)
        text = text_template.render(values)
        html = environment.get_template(f"mail/{template_name}.html").render(values)
    return build_message(to, values["subject"], text, html=html, calendar=calendar, method=method)


def _mail_environment() -> Environment:
    """The app's Jinja environment (loader, filters, autoescaping of ``.html`` only), with
    block tags that take their line with them, so plain-text templates read as the mail."""
    environment = current_app.extensions.get(_ENVIRONMENT_KEY)
    if environment is None:
        environment = current_app.jinja_env.overlay(
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
        )
        current_app.extensions[_ENVIRONMENT_KEY] = environment
    return environment


def _subject(template: Template, values: dict) -> str:
    block = template.blocks.get("subject")
    if block is None:
        raise LookupError(f"{template.name} has no {{% block subject %}}")
    subject = "".join(block(template.new_context(values)))
    # One line whatever the data: a CR or LF in a header is refused by the email library.
    return " ".join(subject.split())
