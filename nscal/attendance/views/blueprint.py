"""The ``attendance`` blueprint, in a module of its own so ``public`` and ``manage`` can
attach their routes without an import cycle."""

from flask import Blueprint

attendance = Blueprint("attendance", __name__)
