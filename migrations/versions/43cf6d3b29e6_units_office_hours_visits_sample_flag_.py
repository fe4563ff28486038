"""units: office hours; visits: sample flag for demo data

Revision ID: 43cf6d3b29e6
Revises: 75c3fcd5194b
Create Date: 2026-11-30 03:06:22.173350

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '43cf6d3b29e6'
down_revision = '75c3fcd5194b'
branch_labels = None
depends_on = None


def upgrade():
    # 办公时间 as the unit publishes it (empty until confirmed: nothing is shown then)
    op.add_column('unit', sa.Column('hours', sa.String(length=128), nullable=True))
    # demo visits made by `flask visits demo` are marked 示例数据; existing visits are real
    op.add_column('visit', sa.Column('sample', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('sample')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('hours')
