"""Member cities and the participant roles people take at events."""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column

from nscal.db import db


class City(db.Model):
    """A member city of the network, with the IANA zone its people live in."""

    __tablename__ = "city"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    country: Mapped[str] = mapped_column(sa.String(80))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def __repr__(self) -> str:
        return f"<City {self.slug}>"


def N_(text: str) -> str:
    """Marks ``text`` for the catalogs; it is translated where it is shown."""
    return text


# The network's own roles (``nscal.demo`` seeds them) by slug, with their English names:
# shown in the reader's language while a role keeps that name. A role an admin added
# or renamed is shown as it was named.
ROLE_NAMES = {
    "practitioner": N_("Practitioner"),
    "mayor": N_("Mayor"),
    "politician": N_("Politician"),
    "leader": N_("Leader"),
}


class ParticipantRole(db.Model):
    """What a person is at an event: practitioner, mayor, politician, leader …"""

    __tablename__ = "participant_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))

    @property
    def label(self) -> str:
        """The role's name for people, in the reader's language where nscal knows it."""
        if ROLE_NAMES.get(self.slug) == self.name:
            return gettext(self.name)
        return self.name

    def __repr__(self) -> str:
        return f"<ParticipantRole {self.slug}>"


def city_by_slug_or_name(value: str) -> City | None:
    """Find a city by its slug or its name, ignoring case."""
    value = value.strip().lower()
    return db.session.execute(
        sa.select(City).where(sa.or_(City.slug == value, sa.func.lower(City.name) == value))
    ).scalar_one_or_none()


def role_by_slug_or_name(value: str) -> ParticipantRole | None:
    """Find a participant role by its slug or its name, ignoring case."""
    value = value.strip().lower()
    return db.session.execute(
        sa.select(ParticipantRole).where(
            sa.or_(ParticipantRole.slug == value, sa.func.lower(ParticipantRole.name) == value)
        )
    ).scalar_one_or_none()


def active_cities() -> list[City]:
    return list(
        db.session.execute(
            sa.select(City).where(City.active).order_by(City.country, City.name)
        ).scalars()
    )


def all_roles() -> list[ParticipantRole]:
    return list(
        db.session.execute(sa.select(ParticipantRole).order_by(ParticipantRole.id)).scalars()
    )
