"""initial catalogue

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 15:04:48.753620
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('aip',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=False),
    sa.Column('archive_number', sa.String(length=100), nullable=False),
    sa.Column('sip_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('source_organization', sa.String(length=200), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=200), nullable=False),
    sa.Column('procedure', sa.String(length=20), nullable=False),
    sa.Column('retention', sa.String(length=20), nullable=False),
    sa.Column('security_level', sa.String(length=10), nullable=False),
    sa.Column('filing_date', sa.Date(), nullable=False),
    sa.Column('closing_date', sa.Date(), nullable=False),
    sa.Column('archiving_date', sa.Date(), nullable=False),
    sa.Column('document_count', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('payload_files', sa.Integer(), nullable=False),
    sa.Column('payload_bytes', sa.BigInteger(), nullable=False),
    sa.Column('tagmanifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('container_sha256', sa.String(length=64), nullable=True),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('archive_number'),
    sa.UniqueConstraint('case_number')
    )
    with op.batch_alter_table('aip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aip_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_aip_sip_fingerprint'), ['sip_fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_aip_year'), ['year'], unique=False)

    op.create_table('archive_number_counter',
    sa.Column('series', sa.String(length=100), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series')
    )
    op.create_table('event',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('aip_id', sa.String(length=40), nullable=True),
    sa.Column('agent', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('hash')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_aip_id'), ['aip_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_type'), ['type'], unique=False)

    op.create_table('event_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('storage_location',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('submission',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('external_identifier', sa.String(length=100), nullable=True),
    sa.Column('container_sha256', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('aip_id', sa.String(length=40), nullable=True),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('report_path', sa.Text(), nullable=True),
    sa.Column('receipt_path', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_received_at'), ['received_at'], unique=False)

    op.create_table('aip_copy',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('aip_id', sa.String(length=40), nullable=False),
    sa.Column('location', sa.String(length=50), nullable=False),
    sa.Column('relpath', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_verify_ok', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['aip_id'], ['aip.id'], ),
    sa.ForeignKeyConstraint(['location'], ['storage_location.name'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('aip_id', 'location')
    )
    with op.batch_alter_table('aip_copy', schema=None) as batch_op:
        batch_op.create_index('ix_copy_verified', ['last_verified_at'], unique=False)

    op.create_table('aip_file',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('aip_id', sa.String(length=40), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sm3', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['aip_id'], ['aip.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('aip_id', 'path')
    )
    with op.batch_alter_table('aip_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aip_file_aip_id'), ['aip_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('aip_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aip_file_aip_id'))

    op.drop_table('aip_file')
    with op.batch_alter_table('aip_copy', schema=None) as batch_op:
        batch_op.drop_index('ix_copy_verified')

    op.drop_table('aip_copy')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_received_at'))

    op.drop_table('submission')
    op.drop_table('storage_location')
    op.drop_table('event_head')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_type'))
        batch_op.drop_index(batch_op.f('ix_event_at'))
        batch_op.drop_index(batch_op.f('ix_event_aip_id'))

    op.drop_table('event')
    op.drop_table('archive_number_counter')
    with op.batch_alter_table('aip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aip_year'))
        batch_op.drop_index(batch_op.f('ix_aip_sip_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_aip_department'))

    op.drop_table('aip')
