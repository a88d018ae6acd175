"""The Alembic chain builds the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from nscal.db import db
from nscal.events.search import include_name, include_object

INDEX_FILTERS = {"include_object": include_object, "include_name": include_name}


def test_migrations_match_the_models(app):
    # The session fixture built this database with `flask db upgrade` only.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True, **INDEX_FILTERS}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_run_down_and_up_again(app, tmp_path, monkeypatch):
    import flask_migrate

    from nscal import create_app
    from tests.conftest import test_config

    fresh = create_app(test_config(f"sqlite:///{tmp_path / 'fresh.sqlite'}"))
    with fresh.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"render_as_batch": True, **INDEX_FILTERS}
            )
            assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()
