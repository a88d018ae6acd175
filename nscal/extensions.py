"""Flask extensions, created unbound and wired in ``create_app``."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from nscal.db import db

migrate = Migrate(db=db, render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()

__all__ = ["db", "migrate", "login_manager", "csrf"]
