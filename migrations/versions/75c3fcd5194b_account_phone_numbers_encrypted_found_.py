"""account phone numbers encrypted, found by keyed hash

Revision ID: 75c3fcd5194b
Revises: 63d92af5d25a
Create Date: 2026-11-30 03:09:02.464329

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '75c3fcd5194b'
down_revision = '63d92af5d25a'
branch_labels = None
depends_on = None


def upgrade():
    # The login phone is personal data like any other: stored encrypted, looked up by its keyed hash.
    from portal.core.crypto import ring

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('phone', existing_type=sa.VARCHAR(length=20), type_=sa.Text(), existing_nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_user_account_phone'), type_='unique')
    keys = ring()
    bind = op.get_bind()
    for user_id, phone in bind.execute(sa.text("SELECT id, phone FROM user_account")).all():
        bind.execute(
            sa.text("UPDATE user_account SET phone = :token, phone_hash = :hash WHERE id = :id"),
            {"token": keys.encrypt(phone), "hash": keys.keyed_hash(phone), "id": user_id},
        )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('phone_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_phone_hash'), ['phone_hash'])


def downgrade():
    from portal.core.crypto import ring

    keys = ring()
    bind = op.get_bind()
    for user_id, token in bind.execute(sa.text("SELECT id, phone FROM user_account")).all():
        bind.execute(sa.text("UPDATE user_account SET phone = :phone WHERE id = :id"), {"phone": keys.decrypt(token), "id": user_id})
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_phone_hash'), type_='unique')
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.VARCHAR(length=20), existing_nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_phone'), ['phone'])
        batch_op.drop_column('phone_hash')
