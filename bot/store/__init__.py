"""The help desk's own tables (conversations, transcripts, handoffs): SQLAlchemy + Alembic."""
