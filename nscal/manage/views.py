"""The coordinators' home: what needs them today, then the way to every tool."""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from nscal.accounts.models import User
from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import City
from nscal.db import db, utcnow
from nscal.events.display import display_zone
from nscal.manage.home import FAILED_MAIL_DAYS, coordinator_home

manage = Blueprint("manage", __name__, url_prefix="/manage")


@manage.get("/")
@coordinator_required
def dashboard():
    counts = {
        "cities": db.session.scalar(sa.select(sa.func.count()).select_from(City)),
        "people": db.session.scalar(sa.select(sa.func.count()).select_from(User)),
    }
    now = utcnow()
    zone, _source = display_zone(current_user, None)
    home = coordinator_home(zone, now, (now.year, now.year + 1))
    return render_template(
        "manage/dashboard.html",
        counts=counts,
        home=home,
        now=now,
        home_zone=ZoneInfo(home.zone),
        failed_mail_days=FAILED_MAIL_DAYS,
    )
