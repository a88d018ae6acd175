"""Member cities and the participant roles people take at events."""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
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


# The network's own participant roles, by their English name (as stored): their names in
# the reader's language. A role named otherwise (one a coordinator added or renamed)
# is shown as named.
ROLE_LABELS = {
    "practitioner": _l("Practitioner"),
    "mayor": _l("Mayor"),
    "politician": _l("Politician"),
    "leader": _l("Leader"),
}
# The same in the plural, lower case, as used in "For %(roles)s" and "Places for %(role)s".
ROLE_PLURALS = {
    # Translators: plural, lower case; used in "For %(roles)s" and "Places for %(role)s".
    "practitioner": _l("practitioners"),
    # Translators: plural, lower case; used in "For %(roles)s" and "Places for %(role)s".
    "mayor": _l("mayors"),
    # Translators: plural, lower case; used in "For %(roles)s" and "Places for %(role)s".
    "politician": _l("politicians"),
    # Translators: plural, lower case; used in "For %(roles)s" and "Places for %(role)s".
    "leader": _l("leaders"),
}


def english_plural(name: str) -> str:
    """ "Mayor" → "mayors", "Police liaison" → "police liaisons", "Deputy" → "deputies"."""
    word = name.strip().lower()
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def role_label(name: str) -> str:
    """A role's name in the reader's language (a role of the network's own), else as stored."""
    known = ROLE_LABELS.get(name.strip().lower())
    return str(known) if known is not None else name


class ParticipantRole(db.Model):
    """What a person is at an event: practitioner, mayor, politician, leader …"""

    __tablename__ = "participant_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))

    @property
    def label(self) -> str:
        """The role's name in the reader's language (a role of the network's own), else
        its name as stored."""
        return role_label(self.name)

    @property
    def plural_label(self) -> str:
        """Lower case and plural, in the reader's language: "mayors", "borgmestre"."""
        known = ROLE_PLURALS.get(self.name.strip().lower())
        return str(known) if known is not None else english_plural(self.name)

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
