"""Console sessions: who is logged in, CSRF tokens, session expiry, login attempt limits."""
from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from typing import Deque, Dict, Optional, Tuple

from starlette.requests import HTTPConnection

from bot.store.staff import StaffView

SESSION_HOURS = 10  # a working day; after that, log in again
IDLE_MINUTES = 60
ATTEMPTS, ATTEMPT_WINDOW = 5, 15 * 60  # failed logins per (address, username) and per window


def csrf_token(connection: HTTPConnection) -> str:
    token = connection.session.get("csrf")
    if not token:
        token = connection.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(connection: HTTPConnection, given: Optional[str]) -> bool:
    expected = connection.session.get("csrf")
    return bool(expected and given) and hmac.compare_digest(expected, given)


def log_in(connection: HTTPConnection, member: StaffView) -> None:
    connection.session.clear()  # a new session id's worth: nothing from before login survives
    now = time.time()
    connection.session.update({"staff": {"id": member.id, "username": member.username,
                                         "display_name": member.display_name, "role": member.role},
                               "since": now, "seen": now, "csrf": secrets.token_urlsafe(32)})


def current_staff(connection: HTTPConnection) -> Optional[StaffView]:
    """The logged-in staff member, or None when nobody is or the session expired."""
    data = connection.session.get("staff")
    now = time.time()
    if not data or now - connection.session.get("since", 0) > SESSION_HOURS * 3600 \
            or now - connection.session.get("seen", 0) > IDLE_MINUTES * 60:
        connection.session.pop("staff", None)
        return None
    connection.session["seen"] = now
    return StaffView(data["id"], data["username"], data["display_name"], data["role"])


class LoginLimiter:
    """Counts failed logins; refuses more than ATTEMPTS per window for an address and username."""

    def __init__(self) -> None:
        self._failures: Dict[Tuple[str, str], Deque[float]] = defaultdict(deque)

    def _recent(self, key: Tuple[str, str]) -> Deque[float]:
        failures, now = self._failures[key], time.monotonic()
        while failures and now - failures[0] > ATTEMPT_WINDOW:
            failures.popleft()
        return failures

    def blocked(self, address: str, username: str) -> bool:
        return len(self._recent((address, username.lower()))) >= ATTEMPTS

    def failed(self, address: str, username: str) -> None:
        self._recent((address, username.lower())).append(time.monotonic())

    def succeeded(self, address: str, username: str) -> None:
        self._failures.pop((address, username.lower()), None)
