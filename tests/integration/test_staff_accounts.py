"""Staff accounts on SQLite and PostgreSQL, and `helpdesk staff add`."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from bot.store.database import create_engine_for, session_factory
from bot.store.staff import AccountError, StaffAccounts


@pytest.fixture
def accounts(database_url):
    engine = create_engine_for(database_url)
    yield StaffAccounts(session_factory(engine))
    engine.dispose()


def test_a_password_is_stored_only_as_an_argon2_hash_and_verified(accounts, database_url):
    accounts.add("ana", "një fjalëkalim i gjatë", "admin", "Ana K.")
    engine = create_engine(database_url, future=True)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM staff WHERE username = 'ana'")).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and "fjalëkalim" not in stored
    assert accounts.verify("ana", "një fjalëkalim i gjatë").role == "admin"
    assert accounts.verify("ana", "një fjalëkalim i gjatE") is None
    assert accounts.verify("nobody", "një fjalëkalim i gjatë") is None


@pytest.mark.parametrize("username, password, role, reason", [
    ("Ana Smith", "long enough pw", "agent", "username"),
    ("ana", "short", "agent", "at least 10"),
    ("ana", "long enough pw", "boss", "role"),
])
def test_bad_accounts_are_refused_with_the_reason(accounts, username, password, role, reason):
    with pytest.raises(AccountError, match=reason):
        accounts.add(username, password, role)


def test_a_username_is_taken_once(accounts):
    accounts.add("besa", "long enough pw")
    with pytest.raises(AccountError, match="already"):
        accounts.add("besa", "another long pw")


def test_the_staff_add_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "bot.cli", "staff", "add", "drita", "--role", "agent", "--password-stdin"]
    made = subprocess.run(command, input="a good long password\n", env=env, capture_output=True, text=True)
    assert made.returncode == 0 and "Created agent account 'drita'" in made.stdout
    again = subprocess.run(command, input="a good long password\n", env=env, capture_output=True, text=True)
    assert again.returncode == 1 and "already" in again.stderr and "nothing was created" in again.stderr
    weak = subprocess.run(command[:5] + ["eri", "--password-stdin"], input="short\n", env=env, capture_output=True,
                          text=True)
    assert weak.returncode == 1 and "at least 10" in weak.stderr
    engine = create_engine_for(url)
    assert StaffAccounts(session_factory(engine)).verify("drita", "a good long password").username == "drita"
    engine.dispose()
