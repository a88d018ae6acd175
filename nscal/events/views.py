"""Public event pages: /events/ and /events/<id>."""

from flask import Blueprint

events = Blueprint("events", __name__)
