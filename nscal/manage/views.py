"""The coordinators' start page."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from nscal.accounts.models import User
from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import City
from nscal.db import db

manage = Blueprint("manage", __name__, url_prefix="/manage")


@manage.get("/")
@coordinator_required
def dashboard():
    counts = {
        "cities": db.session.scalar(sa.select(sa.func.count()).select_from(City)),
        "people": db.session.scalar(sa.select(sa.func.count()).select_from(User)),
    }
    return render_template("manage/dashboard.html", counts=counts)
