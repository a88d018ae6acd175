"""Coordinators' preview of every kind of mail, rendered from made-up data."""

from flask import Blueprint, abort, render_template

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
        html=message.get_body(("html",)).get_content(),
        text=message.get_body(("plain",)).get_content(),
    )
