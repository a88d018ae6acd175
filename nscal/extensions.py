"""Flask extensions, created unbound and wired in ``create_app``."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from nscal.db import db
from nscal.events import search

# The search index is built by its migration, not described by models: Alembic's
# comparison leaves it out.
migrate = Migrate(
    db=db,
    render_as_batch=True,
    compare_type=True,
    include_object=search.include_object,
    include_name=search.include_name,
)
login_manager = LoginManager()
csrf = CSRFProtect()

__all__ = ["db", "migrate", "login_manager", "csrf"]
