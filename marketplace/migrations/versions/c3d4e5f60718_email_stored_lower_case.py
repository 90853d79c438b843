"""accounts: the database refuses an email address that is not lower-cased

Revision ID: c3d4e5f60718
Revises: bb009be48a33
Create Date: 2026-12-03 20:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d4e5f60718'
down_revision = 'bb009be48a33'
branch_labels = None
depends_on = None


def upgrade():
    # Addresses were always stored lower-cased by the model; a row written around it is fixed
    # first (two accounts differing only in case would fail the unique constraint: none can
    # exist, since sign-up and invitations looked addresses up lower-cased).
    op.execute('UPDATE "user" SET email = lower(email) WHERE email <> lower(email)')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_check_constraint('email_lower_case', 'email = lower(email)')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('ck_user_email_lower_case', type_='check')
