"""listing indexes: published entries newest first, overall, featured and per city

They replace the single-column indexes on status, published_at and city_id: the first two are
prefixes of the new ones, and published_at alone let PostgreSQL filter and sort instead.

Revision ID: a7e3c1d9b2f4
Revises: f1a2b3c4d5e6
Create Date: 2026-12-04 19:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7e3c1d9b2f4'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.create_index('ix_solution_listing', ['status', 'published_at', 'id'], unique=False)
        batch_op.create_index(
            'ix_solution_featured_listing', ['status', 'featured', 'published_at', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_solution_city_listing', ['city_id', 'status', 'published_at', 'id'], unique=False
        )
        batch_op.drop_index('ix_solution_status')
        batch_op.drop_index('ix_solution_published_at')
        batch_op.drop_index('ix_solution_city_id')


def downgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.create_index('ix_solution_city_id', ['city_id'], unique=False)
        batch_op.create_index('ix_solution_published_at', ['published_at'], unique=False)
        batch_op.create_index('ix_solution_status', ['status'], unique=False)
        batch_op.drop_index('ix_solution_city_listing')
        batch_op.drop_index('ix_solution_featured_listing')
        batch_op.drop_index('ix_solution_listing')
