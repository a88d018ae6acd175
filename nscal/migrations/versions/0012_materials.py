"""materials: files and links attached to events, with who may see them

Revision ID: 0012_materials
Revises: 0013_attendance
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0012_materials'
down_revision = '0013_attendance'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('slides', 'report', 'minutes', 'photo', 'other', name='material_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'members', 'participants', 'coordinators', name='material_visibility', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('storage_key', sa.String(length=64), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('published_at', nscal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(storage_key IS NULL) <> (url IS NULL)', name=op.f('ck_material_file_or_link')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_material_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_material_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_material_storage_key'))
    )
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_event_id'))

    op.drop_table('material')
