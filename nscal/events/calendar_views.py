"""Year and month views: /calendar/<year> and /calendar/<year>/<month>."""

from flask import Blueprint

calendar = Blueprint("calendar", __name__)
