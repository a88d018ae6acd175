"""Each person's account page: their profile and their password."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from nscal.accounts.forms import ChangePasswordForm, ProfileForm
from nscal.accounts.services import (
    AccountError,
    PasswordPolicyError,
    change_password,
    update_profile,
)
from nscal.db import db
from nscal.i18n import forget_chosen_language

account = Blueprint("account", __name__)


@account.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    city_zone = user.city.timezone if user.city else None
    form = ProfileForm(obj=user, city_zone=city_zone)
    password_form = ChangePasswordForm(formdata=None)
    if form.validate_on_submit():
        try:
            update_profile(
                user,
                name=form.name.data,
                timezone=form.timezone.data or None,
                language=form.language.data or None,
            )
        except AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            # The account's language speaks from now on (the flash below too).
            forget_chosen_language()
            flash(_("Your profile is saved."), "success")
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
        except PasswordPolicyError as exc:
            form.password.errors.append(str(exc))
        except AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user)  # this session goes on, with the new session version
            flash(_("Your password is changed. Your other sessions are logged out."), "success")
            return redirect(url_for("account.profile"))
    profile_form = ProfileForm(obj=user, city_zone=user.city.timezone if user.city else None)
    return (
        render_template("account/profile.html", form=profile_form, password_form=form),
        400,
    )
