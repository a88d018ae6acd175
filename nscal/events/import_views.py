"""Coordinators' import page with a preview: /manage/import."""

from flask import Blueprint

imports = Blueprint("imports", __name__, url_prefix="/manage/import")
