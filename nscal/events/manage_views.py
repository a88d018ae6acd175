"""Coordinators' event pages under /manage/."""

from flask import Blueprint

manage_events = Blueprint("manage_events", __name__, url_prefix="/manage")
