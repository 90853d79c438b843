"""entry content dates and image index: when the public content last changed; who shows an image

Revision ID: a3c9d2e4f501
Revises: e6fa761b4bb3
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c9d2e4f501'
down_revision = 'e6fa761b4bb3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE solution SET content_updated_at = updated_at")
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.alter_column('content_updated_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f('ix_solution_image'), ['image'], unique=False)


def downgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solution_image'))
        batch_op.drop_column('content_updated_at')
