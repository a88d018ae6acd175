"""The time-zone picker (/zone): the one place to change the zone times are shown in.

The header's "Times in Helsinki · Change" links here with ``next`` (the page it came
from). A visitor's choice lives in the session; a signed-in person's in their account
(the same field as the account page's "Time zone"). ``?tz=`` on the public pages
(``nscal.events.views.public.remember_zone_choice``) keeps working beside it.
"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nscal.accounts.forms import ZoneForm
from nscal.accounts.services import AccountError, update_profile
from nscal.db import db
from nscal.events.display import SESSION_ZONE, display_zone
from nscal.timedisplay import zone_label
from nscal.web import safe_next

zone = Blueprint("zone", __name__)


def _default_label() -> str:
    if current_user.is_authenticated:
        city = current_user.city
        if city is not None:
            return _("My city's zone (%(zone)s)", zone=zone_label(city.timezone))
    return _("Each event's own time zone")


def _current_choice() -> str | None:
    """What the picker shows as chosen: the account's own zone (not its city's), or the
    zone picked in this visit."""
    if current_user.is_authenticated:
        return current_user.timezone
    return session.get(SESSION_ZONE)


@zone.route("/zone", methods=["GET", "POST"])
def choose():
    back = safe_next(request.values.get("next"), url_for("main.index"))
    form = ZoneForm(default_label=_default_label())
    if request.method == "GET":
        form.next.data = back
        form.tz.data = _current_choice() or ""
    elif form.validate_on_submit():
        chosen = form.zone()
        if current_user.is_authenticated:
            user = current_user._get_current_object()
            try:
                update_profile(user, name=user.name, timezone=chosen)
            except AccountError as exc:
                form.tz.errors = [*form.tz.errors, str(exc)]
                return _page(form, back), 400
            db.session.commit()
        elif chosen:
            session[SESSION_ZONE] = chosen
        else:
            session.pop(SESSION_ZONE, None)
        viewer = current_user if current_user.is_authenticated else None
        shown, _source = display_zone(viewer, session.get(SESSION_ZONE))
        if shown:
            flash(_("Times are now shown in %(zone)s time.", zone=zone_label(shown)), "success")
        else:
            flash(_("Times are now shown in each event's own time zone."), "success")
        return redirect(back)
    else:
        return _page(form, back), 400
    return _page(form, back)


def _page(form: ZoneForm, back: str):
    return render_template("account/zone.html", form=form, back=back)
