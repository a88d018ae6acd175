"""Feeds: /calendar.ics, /cities/<slug>/calendar.ics, /events/<id>.ics, /feeds/<token>.ics."""

from flask import Blueprint

feeds = Blueprint("feeds", __name__)
