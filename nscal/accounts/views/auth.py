"""Logging in and out, accepting an invitation, and resetting a forgotten password."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from nscal.accounts import services
from nscal.accounts.forms import ForgotPasswordForm, LoginForm, NewPasswordForm
from nscal.accounts.services import (
    AccountError,
    end_sessions,
    log_in,
    request_password_reset,
    user_for_invitation,
    user_for_password_reset,
)
from nscal.accounts.throttle import TooManyAttempts
from nscal.db import db
from nscal.web import safe_next

auth = Blueprint("auth", __name__, url_prefix="/auth")
PASSWORD_LOGIN_OFF = _l(
    "Logging in with a password is switched off here. "
    "Use your organisation's sign-in button instead."
)


@auth.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    form = LoginForm()
    if request.method == "POST" and not current_app.config["PASSWORD_LOGIN"]:
        flash(str(PASSWORD_LOGIN_OFF), "error")
        return render_template("auth/login.html", form=form), 403
    if form.validate_on_submit():
        try:
            user = log_in(form.email.data, form.password.data, client_address=request.remote_addr)
        except TooManyAttempts as exc:
            db.session.rollback()
            return _too_many_attempts(exc, "auth/login.html", form=form)
        except AccountError as exc:
            db.session.commit()  # the failure counts on every worker
            flash(str(exc), "error")
            return render_template("auth/login.html", form=form), 200
        db.session.commit()
        return start_session(user, request.args.get("next"))
    return render_template("auth/login.html", form=form)


def start_session(user, next_url: str | None):
    """Log ``user`` in on this browser (after a password or a single sign-on) and go on
    to ``next_url`` when it is a page of this site, else home. The caller has committed."""
    login_user(user)
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    return redirect(safe_next(next_url, url_for("main.index")))


@auth.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Ends the person's sessions everywhere, and copies of this cookie with them.
        end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.index"))


@auth.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invited = user_for_invitation(token)
    except AccountError as exc:
        return render_template("auth/invitation_invalid.html", message=str(exc)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        done = _choose_password(
            form,
            lambda password: services.accept_invitation(token, password),
            _("Your password is set. Welcome to the calendar."),
        )
        if done:
            return done
    return render_template("auth/invitation.html", form=form, invited=invited)


@auth.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    if not current_app.config["PASSWORD_LOGIN"]:
        flash(str(PASSWORD_LOGIN_OFF), "error")
        return redirect(url_for("auth.login"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            request_password_reset(form.email.data, client_address=request.remote_addr)
        except TooManyAttempts as exc:
            db.session.rollback()
            return _too_many_attempts(exc, "auth/forgot_password.html", form=form)
        db.session.commit()
        # The same answer for every address: nobody learns who has an account.
        flash(
            _(
                "If an account exists for that address, we have sent a link to it. "
                "The link works once, for a short while."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@auth.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        person = user_for_password_reset(token, client_address=request.remote_addr)
    except TooManyAttempts as exc:
        db.session.rollback()
        return (
            render_template("auth/reset_invalid.html", message=str(exc)),
            429,
            {"Retry-After": str(exc.retry_after)},
        )
    except AccountError as exc:
        db.session.commit()  # bad links count against the client
        return render_template("auth/reset_invalid.html", message=str(exc)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        done = _choose_password(
            form,
            lambda password: services.reset_password(token, password),
            _("Your new password is set, and you are logged in."),
        )
        if done:
            return done
    return render_template("auth/reset_password.html", form=form, person=person)


def _choose_password(form: NewPasswordForm, set_password, welcome: str):
    """A mailed link's new-password form: set it, start a fresh session and go home; or
    None, with the refusal on the password field."""
    try:
        user = set_password(form.password.data)
    except AccountError as exc:
        form.password.errors.append(str(exc))
        return None
    db.session.commit()
    logout_user()
    login_user(user)
    flash(welcome, "success")
    return redirect(url_for("main.index"))


def _too_many_attempts(exc: TooManyAttempts, template: str, **context):
    flash(str(exc), "error")
    return render_template(template, **context), 429, {"Retry-After": str(exc.retry_after)}
