"""Logging in and out, invitations, and each person's account page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from nscal.accounts import services
from nscal.accounts.forms import ChangePasswordForm, LoginForm, NewPasswordForm, ProfileForm
from nscal.accounts.services import (
    AccountError,
    authenticate,
    change_password,
    update_profile,
    user_for_invitation,
)
from nscal.db import db
from nscal.web import safe_next

auth = Blueprint("auth", __name__, url_prefix="/auth")
account = Blueprint("account", __name__)


@auth.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            # Never say whether the email or the password was wrong.
            flash("Wrong email or password.", "error")
            db.session.rollback()
            return render_template("auth/login.html", form=form), 200
        db.session.commit()
        login_user(user)
        flash(f"Welcome, {user.name}.", "success")
        return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    return render_template("auth/login.html", form=form)


@auth.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "success")
    return redirect(url_for("main.index"))


@auth.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invited = user_for_invitation(token)
    except AccountError as exc:
        return render_template("auth/invitation_invalid.html", message=str(exc)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            logout_user()
            login_user(user)
            flash("Your password is set. Welcome to the calendar.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/invitation.html", form=form, invited=invited)


@account.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    city_zone = user.city.timezone if user.city else None
    form = ProfileForm(obj=user, city_zone=city_zone)
    password_form = ChangePasswordForm(formdata=None)
    if form.validate_on_submit():
        try:
            update_profile(user, name=form.name.data, timezone=form.timezone.data or None)
        except AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form, password_form=password_form)


@account.post("/account/password")
@login_required
def password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(user, current=form.current.data, new=form.password.data)
        except AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your password is changed.", "success")
            return redirect(url_for("account.profile"))
    profile_form = ProfileForm(obj=user, city_zone=user.city.timezone if user.city else None)
    return (
        render_template("account/profile.html", form=profile_form, password_form=form),
        400,
    )
