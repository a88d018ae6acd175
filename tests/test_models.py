"""The data model: aware instants, unique emails, zones of the demo cities."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from nscal.accounts.models import User
from nscal.accounts.services import AccountError, create_user
from nscal.cities.models import City
from nscal.db import db


def test_instants_come_back_aware_in_utc(app):
    helsinki_noon = datetime(2027, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    user = create_user(email="a@example.org", name="A")
    user.last_login_at = helsinki_noon
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(User, user.id).last_login_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == helsinki_noon
    assert stored.hour == 9  # 12:00 EEST is 09:00 UTC


def test_naive_datetimes_are_refused(app):
    user = create_user(email="a@example.org", name="A")
    user.last_login_at = datetime(2027, 7, 1, 12, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_created_at_is_stamped_per_row(app):
    first = create_user(email="a@example.org", name="A")
    second = create_user(email="b@example.org", name="B")
    db.session.commit()
    assert first.created_at.tzinfo is not None
    assert first.created_at <= second.created_at <= datetime.now(UTC)


def test_email_is_unique_whatever_its_case(app):
    create_user(email="Aino@Example.org", name="A")
    with pytest.raises(AccountError, match="already an account"):
        create_user(email="aino@EXAMPLE.ORG", name="B")


def test_email_uniqueness_is_enforced_by_the_database(app):
    db.session.add(User(email="x@example.org", name="X"))
    db.session.commit()
    db.session.add(User(email="X@EXAMPLE.org", name="Y"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_every_account_gets_its_own_long_feed_token(app):
    a = create_user(email="a@example.org", name="A")
    b = create_user(email="b@example.org", name="B")
    db.session.flush()
    assert a.feed_token != b.feed_token
    assert len(a.feed_token) >= 40


def test_display_zone_prefers_the_person_then_their_city(app, demo):
    oslo = db.session.execute(sa.select(City).where(City.slug == "oslo")).scalar_one()
    user = create_user(email="a@example.org", name="A", city=oslo)
    assert user.display_timezone == "Europe/Oslo"
    user.timezone = "Atlantic/Reykjavik"
    assert user.display_timezone == "Atlantic/Reykjavik"
    assert create_user(email="b@example.org", name="B").display_timezone is None


def test_aware_values_in_other_offsets_are_normalized(app):
    user = create_user(email="a@example.org", name="A")
    user.last_login_at = datetime(2027, 3, 28, 3, 30, tzinfo=timezone(timedelta(hours=-2)))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at == datetime(2027, 3, 28, 5, 30, tzinfo=UTC)
