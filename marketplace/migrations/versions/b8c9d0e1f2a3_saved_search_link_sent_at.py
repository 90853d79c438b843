"""saved searches: when the latest confirmation link was mailed, to prune expired ones

Revision ID: b8c9d0e1f2a3
Revises: 0f6a696e09c8
Create Date: 2026-12-07 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8c9d0e1f2a3'
down_revision = '0f6a696e09c8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_sent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_column('link_sent_at')
