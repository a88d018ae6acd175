"""The read-only JSON API for city websites: /api/events and /api/openapi.json."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")
