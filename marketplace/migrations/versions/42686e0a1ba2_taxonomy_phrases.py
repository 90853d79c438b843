"""taxonomy phrases: the words people use for each term, per language; the vocabulary revision

Revision ID: 42686e0a1ba2
Revises: d8a2f0c6b317
Create Date: 2026-12-03 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '42686e0a1ba2'
down_revision = 'd8a2f0c6b317'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('taxonomy_phrase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('phrase', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_phrase')),
    sa.UniqueConstraint('kind', 'term_id', 'language', 'phrase', name=op.f('uq_taxonomy_phrase_kind'))
    )
    op.create_table('vocabulary_revision',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vocabulary_revision'))
    )
    # The one row every process compares its matcher with; services bump it.
    op.execute("INSERT INTO vocabulary_revision (id, revision) VALUES (1, 0)")
    # Phrases for the terms of an existing database: `flask taxonomy phrases` (see README).


def downgrade():
    op.drop_table('vocabulary_revision')
    op.drop_table('taxonomy_phrase')
