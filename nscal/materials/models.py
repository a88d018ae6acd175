"""An event's materials: files kept in the storage (``storage.py``) and links."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nscal.accounts.models import User
from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.events.models import Event


class MaterialKind(enum.StrEnum):
    slides = "slides"
    report = "report"
    minutes = "minutes"
    photo = "photo"
    other = "other"

    @property
    def label(self) -> str:
        return MATERIAL_KIND_LABELS[self]


class MaterialVisibility(enum.StrEnum):
    """Who may see a material, from the widest circle to the narrowest."""

    public = "public"
    members = "members"
    participants = "participants"
    coordinators = "coordinators"

    @property
    def label(self) -> str:
        return VISIBILITY_LABELS[self]

    @property
    def rank(self) -> int:
        return list(MaterialVisibility).index(self)


MATERIAL_KIND_LABELS = {
    MaterialKind.slides: _l("Slides"),
    MaterialKind.report: _l("Report"),
    MaterialKind.minutes: _l("Minutes"),
    MaterialKind.photo: _l("Photo"),
    MaterialKind.other: _l("Other"),
}

VISIBILITY_LABELS = {
    MaterialVisibility.public: _l("Everyone who can see the event"),
    MaterialVisibility.members: _l("Members (signed in)"),
    MaterialVisibility.participants: _l("Registered participants"),
    MaterialVisibility.coordinators: _l("Coordinators only"),
}


class Material(db.Model):
    """A file or a link attached to an event.

    A file's bytes are in the storage under ``storage_key`` (random, never the uploaded
    name); its original name, size, detected type and SHA-256 are here. A link has a
    ``url`` instead. A material may belong to one item of the event's programme
    (``programme_item_id``); ``event_id`` stays the event, so every permission rule and
    the event page's list hold as they are. Deleting the item keeps the material (the
    event's).
    """

    __tablename__ = "material"
    __table_args__ = (
        sa.CheckConstraint("(storage_key IS NULL) <> (url IS NULL)", name="file_or_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    programme_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_item.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MaterialKind] = mapped_column(str_enum(MaterialKind, "material_kind"))
    visibility: Mapped[MaterialVisibility] = mapped_column(
        str_enum(MaterialVisibility, "material_visibility")
    )
    url: Mapped[str | None] = mapped_column(sa.String(500))
    storage_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255), default="")
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(120), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # Minutes: when their publication was mailed to the registered participants.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_link(self) -> bool:
        return self.url is not None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def __repr__(self) -> str:
        return f"<Material {self.id} {self.kind.value} {self.title!r}>"
