"""stored VEVENTs and VTIMEZONEs, feed change counters

Revision ID: 0023_stored_vevents
Revises: 0022_deferred_mail
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0023_stored_vevents'
down_revision = '0022_deferred_mail'
branch_labels = None
depends_on = None

# The tables as they are at this revision: the fill reads only these columns, so it
# still runs when later revisions add others to the models.
_event = sa.table(
    'event',
    *[sa.column(name) for name in (
        'id', 'uid', 'title', 'kind', 'description', 'format', 'host_city_id', 'venue',
        'online_url', 'timezone', 'all_day', 'start_date', 'end_date', 'visibility',
        'status', 'cancel_reason', 'capacity', 'sequence',
    )],
    sa.column('starts_at', nscal.db.UTCDateTime()),
    sa.column('ends_at', nscal.db.UTCDateTime()),
    sa.column('created_at', nscal.db.UTCDateTime()),
    sa.column('updated_at', nscal.db.UTCDateTime()),
)
_city = sa.table('city', sa.column('id'), sa.column('name'), sa.column('slug'))
_role = sa.table('participant_role', sa.column('id'), sa.column('name'), sa.column('slug'))
_audience = sa.table('event_audience', sa.column('event_id'), sa.column('participant_role_id'))
_CHUNK = 500


def upgrade():
    op.create_table('feed_change',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('counter', sa.BigInteger(), nullable=False),
    sa.Column('changed_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_feed_change'))
    )
    op.create_table('stored_vevent',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('render_key', sa.String(length=32), nullable=False),
    sa.Column('source_updated_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tzid', sa.String(length=64), nullable=True),
    sa.Column('octets', sa.Integer(), nullable=False),
    sa.Column('vevent', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_stored_vevent_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'language', name=op.f('pk_stored_vevent'))
    )
    op.create_table('stored_vtimezone',
    sa.Column('tzid', sa.String(length=64), nullable=False),
    sa.Column('render_key', sa.String(length=32), nullable=False),
    sa.Column('vtimezone', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tzid', name=op.f('pk_stored_vtimezone'))
    )
    _fill_english()


def _fill_english():
    """Render the English VEVENT of every event in feeds, so the first feed after the
    upgrade is served from stored bytes (the other languages follow on first request)."""
    from nscal.cities.models import City, ParticipantRole
    from nscal.events.models import Event, EventFormat, EventKind, EventStatus, Visibility
    from nscal.feeds.stored import stored_rows, write_rows

    connection = op.get_bind()
    cities = {row.id: row for row in connection.execute(sa.select(_city))}
    roles = {row.id: row for row in connection.execute(sa.select(_role))}
    ids = connection.execute(
        sa.select(_event.c.id)
        .where(_event.c.status.in_(('published', 'cancelled')))
        .order_by(_event.c.id)
    ).scalars().all()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        audience = {}
        for event_id, role_id in connection.execute(
            sa.select(_audience).where(_audience.c.event_id.in_(chunk))
        ):
            audience.setdefault(event_id, []).append(role_id)
        events = []
        for row in connection.execute(sa.select(_event).where(_event.c.id.in_(chunk))):
            values = dict(row._mapping)
            city = cities.get(values.pop('host_city_id'))
            values.update(
                kind=EventKind(row.kind),
                format=EventFormat(row.format),
                visibility=Visibility(row.visibility),
                status=EventStatus(row.status),
                host_city=City(id=city.id, name=city.name, slug=city.slug) if city else None,
                audience=[
                    ParticipantRole(id=roles[r].id, name=roles[r].name, slug=roles[r].slug)
                    for r in sorted(audience.get(row.id, []))
                ],
            )
            events.append(Event(**values))  # in no session: only read by the renderer
        write_rows(connection, stored_rows(events, 'en'))


def downgrade():
    op.drop_table('stored_vtimezone')
    op.drop_table('stored_vevent')
    op.drop_table('feed_change')
