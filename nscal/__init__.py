"""nscal: the events and calendar system of a network of Nordic cities."""

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from nscal import extensions
from nscal.config import load_config
from nscal.i18n import init_i18n
from nscal.inputs import MAX_INTEGER
from nscal.security import init_security
from nscal.sessions import FeedSessionInterface

PACKAGE = Path(__file__).resolve().parent
# A source checkout keeps its runtime data in ./instance beside the code; an installed
# wheel (no pyproject.toml above the package) uses ./instance in the working directory.
ROOT = PACKAGE.parent if (PACKAGE.parent / "pyproject.toml").is_file() else Path.cwd()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("NSCAL_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        # Absolute, so that tools and tests find the files whatever the working directory.
        template_folder=str(PACKAGE / "templates"),
        static_folder=str(PACKAGE / "static"),
    )
    load_config(app, test_config)
    init_security(app)
    init_i18n(app)
    app.session_interface = FeedSessionInterface()
    app.url_map.converters["int"] = DatabaseIntConverter
    import nscal.models  # noqa: F401 - registers every table on the metadata

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(PACKAGE / "migrations"))
    extensions.csrf.init_app(app)
    _init_login(app)

    from nscal.accounts.views import account, auth, people, sso, zone
    from nscal.accounts.views.sso import init_sso
    from nscal.api.views import api
    from nscal.attendance.views import attendance
    from nscal.events.views.calendar import calendar
    from nscal.events.views.manage import manage_events
    from nscal.events.views.public import events
    from nscal.feeds.views import feeds
    from nscal.imports.views import imports
    from nscal.mail.views import mail
    from nscal.main.views import main
    from nscal.manage.views import manage
    from nscal.materials.views import materials
    from nscal.messaging.views import messaging
    from nscal.people.views import data_rights
    from nscal.programme.views import programme
    from nscal.questions.views import questions
    from nscal.registrations.views import registrations
    from nscal.reminders.views import reminders
    from nscal.statistics.views import statistics_views

    for blueprint in (
        main,
        auth,
        sso,
        account,
        zone,
        people,
        manage,
        events,
        calendar,
        manage_events,
        imports,
        feeds,
        api,
        registrations,
        attendance,
        questions,
        mail,
        reminders,
        messaging,
        data_rights,
        programme,
        materials,
        statistics_views,
    ):
        app.register_blueprint(blueprint)

    from nscal.cli import register_commands
    from nscal.errors import register_error_handlers
    from nscal.templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    init_sso(app)
    return app


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` in URLs, bounded to what an integer column holds: a larger number is
    a 404 like any unknown id, never a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def _init_login(app: Flask) -> None:
    from nscal.accounts.models import User

    login_manager = extensions.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see that page.")
    login_manager.localize_callback = str  # flashed in the page's language, as a str
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # "<id>:<session version>" (see User.get_id); an older version was signed out.
        account_id, _, version = user_id.partition(":")
        if not account_id.isdigit() or not version.isdigit():
            return None
        user = extensions.db.session.get(User, int(account_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user


# SQLite's page cache per connection (its default is 2 MiB). A search re-checks every
# candidate's texts and a year page reads a year of rows: at 20,000 events the event
# table alone is 11 MB, and with the default cache each such page read it again from
# the operating system (a third of a search's time). Pages are cached as they are read,
# so a small database uses no more than before; 64 MiB measured no faster.
SQLITE_PAGE_CACHE_KIB = 32 * 1024


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys and let readers work beside one writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_PAGE_CACHE_KIB}")
        cursor.close()
