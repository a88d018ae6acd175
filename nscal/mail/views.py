"""Coordinators' preview of every kind of mail, rendered from made-up data."""

from flask import Blueprint, abort, render_template, url_for

from nscal.accounts.permissions import coordinator_required
from nscal.mail.previews import MAIL_KINDS, render_preview

mail = Blueprint("mail", __name__, url_prefix="/manage/mail")


@mail.get("/")
@coordinator_required
def kinds():
    return render_template("manage/mail/kinds.html", kinds=MAIL_KINDS)


@mail.get("/<kind>")
@coordinator_required
def preview(kind: str):
    mail_kind = MAIL_KINDS.get(kind) or abort(404)
    message = render_preview(mail_kind)
    return render_template(
        "manage/mail/preview.html",
        kind=mail_kind,
        to=message["To"],
        subject=message["Subject"],
        html_url=url_for("mail.preview_html", kind=kind),
        text=message.get_body(("plain",)).get_content(),
    )


# Mail HTML is inline-styled (mail programs ignore style sheets), which the site's policy
# forbids; this one response allows inline styles and nothing else, and only our own
# preview page may frame it.
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


@mail.get("/<kind>/html")
@coordinator_required
def preview_html(kind: str):
    """The HTML part alone, for the preview page's sandboxed frame."""
    mail_kind = MAIL_KINDS.get(kind) or abort(404)
    html = render_preview(mail_kind).get_body(("html",)).get_content()
    return html, {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": MAIL_HTML_POLICY,
        "X-Frame-Options": "SAMEORIGIN",
    }
