"""visitor messages: contact from visitors, forwarded once their address is confirmed

Revision ID: d8a2f0c6b317
Revises: c41f7b2d9e10
Create Date: 2026-12-03 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8a2f0c6b317'
down_revision = 'c41f7b2d9e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visitor_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('sender_name', sa.String(length=120), nullable=False),
    sa.Column('sender_email', sa.String(length=254), nullable=False),
    sa.Column('ip_hash', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_visitor_message_solution_id_solution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visitor_message'))
    )
    with op.batch_alter_table('visitor_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visitor_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_visitor_message_ip_hash'), ['ip_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_visitor_message_sender_email'), ['sender_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_visitor_message_solution_id'), ['solution_id'], unique=False)


def downgrade():
    op.drop_table('visitor_message')
