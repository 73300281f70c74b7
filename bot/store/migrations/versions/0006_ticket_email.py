"""ticket email (where an offline ticket's answers are also mailed); rating comment asked

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('ratings') as batch:
        batch.add_column(sa.Column('comment_asked', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('ratings') as batch:
        batch.drop_column('comment_asked')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('email')
