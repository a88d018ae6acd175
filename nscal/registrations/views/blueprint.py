"""The ``registrations`` blueprint, shared by the members' and the coordinators' pages.

A module of its own, so that ``public`` and ``manage`` can attach their routes
without importing the package that imports them (no import cycle).
"""

from flask import Blueprint

registrations = Blueprint("registrations", __name__)
