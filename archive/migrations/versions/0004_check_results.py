"""check results

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('check_run',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('prefix', sa.String(length=2), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('aip_id', sa.String(length=40), nullable=True),
    sa.Column('sip', sa.Text(), nullable=True),
    sa.Column('location', sa.String(length=50), nullable=True),
    sa.Column('bottom_line', sa.String(length=20), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_run_aip_id'), ['aip_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_run_started_at'), ['started_at'], unique=False)

    op.create_table('check_result',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.String(length=10), nullable=False),
    sa.Column('item', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('object', sa.Text(), nullable=False),
    sa.Column('expected', sa.Text(), nullable=True),
    sa.Column('found', sa.Text(), nullable=True),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['check_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_result_item'), ['item'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_result_run_id'), ['run_id'], unique=False)

    op.create_table('check_attestation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item', sa.String(length=5), nullable=False),
    sa.Column('aip_id', sa.String(length=40), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['aip_id'], ['aip.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check_attestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_attestation_aip_id'), ['aip_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_attestation_item'), ['item'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('check_attestation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_attestation_item'))
        batch_op.drop_index(batch_op.f('ix_check_attestation_aip_id'))
    op.drop_table('check_attestation')
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_result_run_id'))
        batch_op.drop_index(batch_op.f('ix_check_result_item'))
    op.drop_table('check_result')
    with op.batch_alter_table('check_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_run_started_at'))
        batch_op.drop_index(batch_op.f('ix_check_run_aip_id'))
    op.drop_table('check_run')
