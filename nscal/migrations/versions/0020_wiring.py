"""wiring the rooms together: materials of a programme item

Revision ID: 0020_wiring
Revises: 0014_statistics
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_wiring'
down_revision = '0014_statistics'
branch_labels = None
depends_on = None


def upgrade():
    # Existing materials belong to their event as a whole: NULL, nothing to convert.
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_material_programme_item_id'), ['programme_item_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_material_programme_item_id_programme_item'), 'programme_item', ['programme_item_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_material_programme_item_id_programme_item'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_material_programme_item_id'))
        batch_op.drop_column('programme_item_id')
