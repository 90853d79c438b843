"""slug redirects: old addresses of merged entries and of cities whose address changed

Revision ID: c41f7b2d9e10
Revises: a3c9d2e4f501
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41f7b2d9e10'
down_revision = 'a3c9d2e4f501'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('slug_redirect',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('old_slug', sa.String(length=120), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'old_slug', name=op.f('pk_slug_redirect'))
    )


def downgrade():
    op.drop_table('slug_redirect')
