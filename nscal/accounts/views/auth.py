"""Logging in and out, and accepting an invitation."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from nscal.accounts import services
from nscal.accounts.forms import LoginForm, NewPasswordForm
from nscal.accounts.services import AccountError, authenticate, user_for_invitation
from nscal.db import db
from nscal.web import safe_next

auth = Blueprint("auth", __name__, url_prefix="/auth")


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
