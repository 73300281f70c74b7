"""Staff accounts: created with `helpdesk staff add`, checked at console login (argon2 hashes)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.store.models import StaffMember

ROLES = ("agent", "admin")
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccountError(ValueError):
    """A plain-language reason why an account cannot be created."""


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    role: str


class StaffAccounts:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    def add(self, username: str, password: str, role: str = "agent", display_name: Optional[str] = None) -> StaffView:
        if not _USERNAME.match(username):
            raise AccountError("the username must be 2-64 characters: lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise AccountError(f"the role must be one of: {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
        try:
            with self._sessions.begin() as session:
                row = StaffMember(username=username, display_name=display_name or username, role=role,
                                  password_hash=_hasher.hash(password))
                session.add(row)
                session.flush()
                return StaffView(row.id, row.username, row.display_name, row.role)
        except IntegrityError:
            raise AccountError(f"there is already an account named {username!r}") from None

    def verify(self, username: str, password: str) -> Optional[StaffView]:
        """The account when the password is right; None otherwise (same answer for unknown users)."""
        with self._sessions.begin() as session:
            row = session.execute(select(StaffMember).where(StaffMember.username == username,
                                                            StaffMember.active.is_(True))).scalar_one_or_none()
            if row is None:
                _hasher.hash(password)  # as slow as a real check, so timing does not reveal who exists
                return None
            try:
                _hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                return None
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            return StaffView(row.id, row.username, row.display_name, row.role)

    def colleagues(self) -> list:
        """Active accounts, for transferring a conversation."""
        with self._sessions() as session:
            return [{"username": r.username, "display_name": r.display_name} for r in session.execute(
                select(StaffMember).where(StaffMember.active.is_(True)).order_by(StaffMember.username)).scalars()]
