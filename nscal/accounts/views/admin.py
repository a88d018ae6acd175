"""Managing people: coordinators invite members, admins manage every account."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from nscal.accounts import services
from nscal.accounts.forms import AccountRoleForm, InviteForm, UserEditForm
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
from nscal.cities.models import City, ParticipantRole, all_roles
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.registrations.models import ACTIVE_STATUSES, Registration

PEOPLE_PER_PAGE = 50

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
    flash(_("Invitation sent to %(email)s.", email=user.email), "success")


def _like_pattern(text: str) -> str:
    """``%text%`` for LIKE, lower case, with LIKE's own characters taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@people.get("/admin/users")
@admin_required
def users():
    """Everyone, searched by name or email and filtered by city, participant role,
    account role and state; a page at a time."""
    q = (request.args.get("q") or "").strip()[:100]
    city_id, role_id = _int_arg("city"), _int_arg("participant_role")
    account_role = request.args.get("account_role", "")
    state = request.args.get("state", "")
    query = sa.select(User)
    if q:
        pattern = _like_pattern(q)
        query = query.where(
            sa.or_(
                sa.func.lower(User.name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    if city_id is not None:
        query = query.where(User.city_id == city_id)
    if role_id is not None:
        query = query.where(User.participant_role_id == role_id)
    if account_role in {role.value for role in AccountRole}:
        query = query.where(User.account_role == AccountRole(account_role))
    if state == "deleted":
        query = query.where(User.deleted_at.is_not(None))
    else:
        query = query.where(User.deleted_at.is_(None))
        if state == "active":
            query = query.where(User.active)
        elif state == "inactive":
            query = query.where(sa.not_(User.active))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PEOPLE_PER_PAGE))
    page = min(max(_int_arg("page") or 1, 1), pages)
    rows = (
        db.session.execute(
            query.order_by(User.name, User.id)
            .limit(PEOPLE_PER_PAGE)
            .offset((page - 1) * PEOPLE_PER_PAGE)
        )
        .scalars()
        .all()
    )
    filters = {
        "q": q,
        "city": city_id or "",
        "participant_role": role_id or "",
        "account_role": account_role,
        "state": state,
    }
    return render_template(
        "admin/users.html",
        users=rows,
        role_form=AccountRoleForm(),
        filters=filters,
        cities=db.session.execute(sa.select(City).order_by(City.country, City.name))
        .scalars()
        .all(),
        roles=all_roles(),
        total=total,
        page=page,
        pages=pages,
    )


def _active_registrations(user: User) -> int:
    """Registrations for events still to come that hold or wait for a place."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(
            Registration.user_id == user.id,
            Registration.status.in_(ACTIVE_STATUSES),
            Event.ends_at > utcnow(),
        )
    )


@people.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Correct a person's record. A changed participant role leaves the registrations
    already made in their old role (the page and the message say how many)."""
    user = db.get_or_404(User, user_id)
    if user.is_deleted:
        flash(_("This account is deleted; there is nothing left to edit."), "error")
        return redirect(url_for("people.users"))
    form = UserEditForm(obj=user, current_city=user.city)
    if not form.is_submitted():
        form.city.data = user.city_id or 0
        form.participant_role.data = user.participant_role_id or 0
        form.account_role.data = user.account_role.value
    active_count = _active_registrations(user)
    if form.validate_on_submit():
        old_role = user.participant_role
        try:
            services.update_user(
                user,
                email=form.email.data,
                name=form.name.data,
                city=db.session.get(City, form.city.data) if form.city.data else None,
                participant_role=(
                    db.session.get(ParticipantRole, form.participant_role.data)
                    if form.participant_role.data
                    else None
                ),
                account_role=form.account_role.data,
                active=form.active.data,
                acting=current_user,
            )
        except AccountError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            message = _("%(name)s is saved.", name=user.name)
            if user.participant_role != old_role and active_count:
                old = old_role.label if old_role else _("no role")
                message += " " + ngettext(
                    "Their %(num)d active registration(s) keep the role they were "
                    "made in (%(role)s); new registrations use the new one.",
                    "Their %(num)d active registration(s) keep the role they were "
                    "made in (%(role)s); new registrations use the new one.",
                    active_count,
                    role=old,
                )
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("people.users"))
    return (
        render_template(
            "admin/edit_user.html", form=form, person=user, active_registrations=active_count
        ),
        400 if form.is_submitted() else 200,
    )


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
            flash(
                _(
                    "%(name)s is now %(role)s.",
                    name=user.name,
                    role=str(user.account_role.label).lower(),
                ),
                "success",
            )
    else:
        flash(_("Choose an account role from the list."), "error")
    return redirect(url_for("people.users"))


@people.get("/admin/users/<int:user_id>/active")
@admin_required
def confirm_deactivate(user_id: int):
    """The step before deactivating someone: what it does; its button posts below."""
    user = db.get_or_404(User, user_id)
    return render_template(
        "admin/deactivate.html", person=user, active_registrations=_active_registrations(user)
    )


@people.post("/admin/users/<int:user_id>/active")
@admin_required
def toggle_active(user_id: int):
    """Deactivate or reactivate; ``active`` ("0" or "1", as the confirmation page sends)
    says which, so a page sent twice does not undo itself; without it the state flips."""
    user = db.get_or_404(User, user_id)
    wanted = {"0": False, "1": True}.get(request.form.get("active", ""), not user.active)
    try:
        set_active(user, wanted, current_user)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        if user.active:
            flash(_("%(name)s is active again.", name=user.name), "success")
        else:
            flash(
                _("%(name)s is deactivated: they can no longer log in.", name=user.name),
                "success",
            )
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
        flash(_("Invitation sent to %(email)s.", email=user.email), "success")
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
        flash(_("A password reset link was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("people.users"))
