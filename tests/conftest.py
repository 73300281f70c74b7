import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.knowledge.loader import PROJECT_ROOT, load_knowledge
from bot.store.database import create_engine_for, migrate, session_factory
from bot.store.staff import StaffAccounts
from bot.store.transcripts import Transcripts

SHARED_REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    """A writable copy of knowledge/ and conversation/ to break on purpose."""
    for folder in ("knowledge", "conversation"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    return tmp_path


def needs_service(variable: str, what: str) -> str:
    """The service's address from the environment; skips without it, except in CI where it fails."""
    value = os.environ.get(variable)
    if not value:
        message = f"{what} not available ({variable} unset; `make test` starts it via scripts/test-services.sh)"
        if os.environ.get("HELPDESK_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    return value


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, migrated database: an SQLite file, or a schema of its own on the test PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
        migrate(url)
        yield url
        return
    server = needs_service("HELPDESK_TEST_POSTGRES_URL", "PostgreSQL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{server}?options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def transcripts(database_url) -> Iterator[Transcripts]:
    engine = create_engine_for(database_url)
    yield Transcripts(session_factory(engine))
    engine.dispose()


def add_staff(database_url: str, *usernames: str, password: str) -> None:
    """Agent accounts in that database, named after the username ("ana" -> "Ana")."""
    migrate(database_url)
    engine = create_engine_for(database_url)
    accounts = StaffAccounts(session_factory(engine))
    for username in usernames:
        accounts.add(username, password, "agent", username.capitalize())
    engine.dispose()
