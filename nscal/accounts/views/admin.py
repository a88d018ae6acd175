"""Managing people: coordinators invite members, admins manage every account."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from nscal.accounts import services
from nscal.accounts.forms import AccountRoleForm, InviteForm
from nscal.accounts.models import AccountRole, User
from nscal.accounts.permissions import admin_required, coordinator_required
from nscal.accounts.services import (
    AccountError,
    change_account_role,
    check_may_invite,
    create_user,
    send_invitation,
    set_active,
)
from nscal.cities.models import City, ParticipantRole
from nscal.db import db

people = Blueprint("people", __name__)


@people.route("/manage/people/invite", methods=["GET", "POST"])
@coordinator_required
def invite():
    form = InviteForm()
    if not current_user.is_admin:
        form.account_role.choices = [
            SelectChoice(AccountRole.member.value, AccountRole.member.label)
        ]
    if form.validate_on_submit():
        try:
            role = AccountRole(form.account_role.data)
            check_may_invite(current_user, role)
            user = create_user(
                email=form.email.data,
                name=form.name.data,
                city=db.session.get(City, form.city.data) if form.city.data else None,
                participant_role=(
                    db.session.get(ParticipantRole, form.participant_role.data)
                    if form.participant_role.data
                    else None
                ),
                account_role=role,
            )
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            _invite_and_report(user)
            return redirect(url_for("people.invite"))
    return render_template("manage/invite.html", form=form)


def _invite_and_report(user: User) -> None:
    send_invitation(user, current_user)  # queued: goes out with this commit, retried
    db.session.commit()
    flash(f"Invitation sent to {user.email}.", "success")


@people.get("/admin/users")
@admin_required
def users():
    rows = db.session.execute(sa.select(User).order_by(User.name)).scalars().all()
    return render_template("admin/users.html", users=rows, role_form=AccountRoleForm())


@people.post("/admin/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = AccountRoleForm()
    if form.validate_on_submit():
        try:
            change_account_role(user, AccountRole(form.account_role.data), current_user)
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{user.name} is now {user.account_role.value}.", "success")
    else:
        flash("Choose an account role from the list.", "error")
    return redirect(url_for("people.users"))


@people.post("/admin/users/<int:user_id>/active")
@admin_required
def toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        set_active(user, not user.active, current_user)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        state = "active again" if user.active else "deactivated: they can no longer log in"
        flash(f"{user.name} is {state}.", "success")
    return redirect(url_for("people.users"))


@people.post("/admin/users/<int:user_id>/invite")
@admin_required
def resend_invitation(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        services.resend_invitation(user, current_user)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Invitation sent to {user.email}.", "success")
    return redirect(url_for("people.users"))


@people.post("/admin/users/<int:user_id>/reset-link")
@admin_required
def send_reset_link(user_id: int):
    """For someone who has a password and lost it: a single-use link to choose a new one."""
    user = db.get_or_404(User, user_id)
    try:
        services.send_password_reset(user)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"A password reset link was sent to {user.email}.", "success")
    return redirect(url_for("people.users"))
