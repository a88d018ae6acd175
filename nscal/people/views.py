"""A person's data: download it, delete the account (also by a coordinator on the
person's request), and the privacy page."""

import json
from email.utils import parseaddr

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user
from werkzeug.security import check_password_hash

from nscal.accounts.models import User, normalize_email
from nscal.accounts.permissions import coordinator_required
from nscal.config import NETWORK_NAME, RETENTION_SETTINGS
from nscal.db import db, utcnow
from nscal.mail.outbox import build_deferred
from nscal.people.data_rights import (
    DataRightsError,
    check_may_delete,
    delete_account,
    deletion_plan,
    export_calendar,
    export_data,
)
from nscal.people.forms import DeleteForPersonForm, DeleteOwnAccountForm

data_rights = Blueprint("data_rights", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _json_download(user: User) -> Response:
    # Registration mail is queued as a reference and built by send-mail; build what is
    # still pending so the export shows every mail with its words.
    build_deferred()
    body = json.dumps(export_data(user), ensure_ascii=False, indent=2)
    stamp = utcnow().strftime("%Y-%m-%d")
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="my-data-{stamp}.json"',
            "Cache-Control": "private, no-store",
        },
    )


@data_rights.get("/account/export")
@login_required
def export():
    return _json_download(current_user._get_current_object())


@data_rights.get("/account/export.ics", endpoint="export_calendar")
@login_required
def export_calendar_file():
    user = current_user._get_current_object()
    return Response(
        export_calendar(user),
        content_type=CALENDAR_TYPE,
        headers={
            "Content-Disposition": 'attachment; filename="my-events.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@data_rights.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_own():
    user = current_user._get_current_object()
    form = DeleteOwnAccountForm()
    refusal = None
    try:
        check_may_delete(user, user)
    except DataRightsError as exc:
        refusal = str(exc)
    if refusal is None and form.validate_on_submit() and _proves_identity(user, form):
        report = delete_account(user, acting=user)
        db.session.commit()
        logout_user()
        flash(
            ngettext(
                "Your account is deleted. %(num)d upcoming registration(s) were "
                "cancelled; a confirmation is on its way to your old address.",
                "Your account is deleted. %(num)d upcoming registration(s) were "
                "cancelled; a confirmation is on its way to your old address.",
                report.cancelled,
            ),
            "success",
        )
        return redirect(url_for("main.index"))
    status = 200 if request.method == "GET" else 403 if refusal else 400
    return (
        render_template(
            "people/delete.html",
            form=form,
            person=user,
            own=True,
            plan=deletion_plan(user),
            refusal=refusal,
            action=url_for("data_rights.delete_own"),
        ),
        status,
    )


def _proves_identity(user: User, form: DeleteOwnAccountForm) -> bool:
    if user.has_password:
        if check_password_hash(user.password_hash, form.password.data or ""):
            return True
        form.password.errors.append(_("This is not your password."))
        return False
    if normalize_email(form.confirm_email.data or "") == user.email:
        return True
    form.confirm_email.errors.append(_("Type the email address of your account."))
    return False


# --- coordinators and admins, on a person's request --------------------------------


def _person(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.is_deleted:
        abort(404)
    return user


@data_rights.get("/manage/people/<int:user_id>/export")
@coordinator_required
def export_for(user_id: int):
    user = _person(user_id)
    if user.id != current_user.id and not current_user.is_admin and user.is_coordinator:
        abort(403)
    return _json_download(user)


@data_rights.route("/manage/people/<int:user_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete_for(user_id: int):
    user = _person(user_id)
    if user.id == current_user.id:
        return redirect(url_for("data_rights.delete_own"))
    form = DeleteForPersonForm()
    refusal = None
    try:
        check_may_delete(user, current_user)
    except DataRightsError as exc:
        refusal = str(exc)
    if refusal is None and form.validate_on_submit():
        if normalize_email(form.confirm_email.data) == user.email:
            name = user.name
            report = delete_account(user, acting=current_user)
            db.session.commit()
            flash(
                _(
                    "The account of %(name)s is deleted: %(cancelled)d upcoming "
                    "registration(s) cancelled, %(kept)d kept without their name. "
                    "A confirmation is on its way to them.",
                    name=name,
                    cancelled=report.cancelled,
                    kept=report.anonymised,
                ),
                "success",
            )
            return redirect(
                url_for("people.users") if current_user.is_admin else url_for("manage.dashboard")
            )
        form.confirm_email.errors.append(_("Type %(email)s to confirm.", email=user.email))
    status = 200 if request.method == "GET" else 403 if refusal else 400
    return (
        render_template(
            "people/delete.html",
            form=form,
            person=user,
            own=False,
            plan=deletion_plan(user),
            refusal=refusal,
            action=url_for("data_rights.delete_for", user_id=user.id),
        ),
        status,
    )


@data_rights.get("/manage/people/requests")
@coordinator_required
def requests_lookup():
    """Find a person by email to act on their request (download, delete)."""
    query = (request.args.get("email") or "").strip()[:254]
    person = None
    if query:
        person = db.session.execute(
            sa.select(User).where(User.email == normalize_email(query), User.deleted_at.is_(None))
        ).scalar_one_or_none()
    return render_template("people/requests.html", query=query, person=person)


# --- the privacy page ------------------------------------------------------------


@data_rights.get("/privacy")
def privacy():
    config = current_app.config
    contact = config.get("PRIVACY_CONTACT") or parseaddr(config["MAIL_SENDER"])[1]
    months = {key.removeprefix("RETENTION_").lower(): config[key] for key in RETENTION_SETTINGS}
    return render_template(
        "people/privacy.html",
        network_name=NETWORK_NAME,
        controller=config["PRIVACY_CONTROLLER"],
        contact=contact,
        months=months,
        login_window_minutes=int(config["LOGIN_THROTTLE_WINDOW"].total_seconds() // 60),
        sso_labels=[provider.label for provider in config["OIDC_PROVIDERS"].values()],
    )
