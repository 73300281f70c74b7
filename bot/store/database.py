"""Engine, sessions and migrations for the gateway's database (SQLite by default, PostgreSQL by URL)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).parent / "migrations"


def create_engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # Threads of the gateway share the file; wait for a lock rather than fail at once. A pool
    # (SQLAlchemy 1.4 opens a new SQLite connection per session by default) saves milliseconds per query.
    engine = create_engine(url, future=True, poolclass=QueuePool, pool_size=8,
                           connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record):  # pragma: no cover - exercised by every SQLite test
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        # With WAL, NORMAL loses nothing when a process crashes (only on power loss) and spares an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False)


def migrate(url: str) -> None:
    """Brings the schema to the newest migration; run at every start."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
