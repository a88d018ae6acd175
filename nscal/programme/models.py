"""Programme items of an event and their speakers.

An item's start and end are UTC instants, entered as wall-clock times in the event's
zone. Items that start together are ordered by ``position`` (left to right when they
run in parallel rooms). Events know nothing of their programme: the programme points
at its event, never the other way round.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nscal.accounts.models import User
from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.events.models import Event


class ItemKind(enum.StrEnum):
    talk = "talk"
    session = "session"
    break_ = "break"
    workshop = "workshop"
    other = "other"

    @property
    def label(self) -> str:
        return ITEM_KIND_LABELS[self]


ITEM_KIND_LABELS = {
    ItemKind.talk: _l("Talk"),
    ItemKind.session: _l("Session"),
    # Translators: a pause in a programme (coffee, lunch), not a fault.
    ItemKind.break_: _l("Break"),
    ItemKind.workshop: _l("Workshop"),
    ItemKind.other: _l("Other"),
}


class ProgrammeItem(db.Model):
    __tablename__ = "programme_item"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_programme_item_event_start", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "programme_item_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(sa.String(200), default="")
    # Private like the event's own link: shown only to those who may see that one.
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="item",
        order_by="Speaker.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    def __repr__(self) -> str:
        return f"<ProgrammeItem {self.id} {self.title!r} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class Speaker(db.Model):
    """A person speaking at an item: someone in nscal, or a name typed in (with the city
    or organisation they come from)."""

    __tablename__ = "programme_speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_item.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # For a person in nscal, their name when picked: kept should the account go.
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    item: Mapped[ProgrammeItem] = relationship(back_populates="speakers")
    user: Mapped[User | None] = relationship(lazy="selectin")

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else self.name

    @property
    def display_affiliation(self) -> str:
        if self.affiliation:
            return self.affiliation
        if self.user is not None and self.user.city is not None:
            return self.user.city.name
        return ""

    @property
    def text(self) -> str:
        """ "Aino Virtanen (Helsinki)"."""
        where = self.display_affiliation
        return f"{self.display_name} ({where})" if where else self.display_name
