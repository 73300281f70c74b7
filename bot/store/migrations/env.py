"""Alembic environment: the URL comes from the caller (bot.store.database.migrate)."""
from alembic import context

from bot.store.database import create_engine_for
from bot.store.models import Base

config = context.config
engine = create_engine_for(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
