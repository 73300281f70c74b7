"""One settings object, read from the environment (see .env.example)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from bot.knowledge.loader import PROJECT_ROOT

DEFAULT_DATABASE = PROJECT_ROOT / "var" / "data" / "helpdesk.db"
SMTP_SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    gateway_port: int = 8000
    model: Path = PROJECT_ROOT / "models" / "helpdesk.tar.gz"
    database_url: str = f"sqlite:///{DEFAULT_DATABASE}"
    telegram_token: Optional[str] = None
    # Empty: long polling (no public address needed). Set: Telegram posts updates to this URL.
    telegram_webhook_url: Optional[str] = None
    telegram_webhook_secret: Optional[str] = None
    telegram_api_url: str = "https://api.telegram.org"  # tests point it at a local fake
    telegram_staff_chat: Optional[int] = None  # a staff group told of each new ticket (optional)
    business_hours: Path = PROJECT_ROOT / "config" / "business_hours.yml"
    canned_replies: Path = PROJECT_ROOT / "config" / "canned_replies.yml"
    # Signs the staff console's session cookie. Unset: a random key kept in var/data/secret_key.
    secret_key: Optional[str] = None
    secure_cookies: bool = False  # set HELPDESK_SECURE_COOKIES=1 behind https
    # Mail for offline tickets whose user left an address; off unless both host and sender are set.
    smtp_host: Optional[str] = None
    smtp_port: int = 587
    smtp_security: str = "starttls"  # or "ssl" (port 465), or "none" for a relay on this machine
    smtp_user: Optional[str] = None
    smtp_password: Optional[str] = None
    mail_from: Optional[str] = None

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host and self.mail_from)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        try:
            settings = cls(
                host=env.get("HELPDESK_HOST", cls.host),
                rasa_port=int(env.get("HELPDESK_RASA_PORT", cls.rasa_port)),
                actions_port=int(env.get("HELPDESK_ACTIONS_PORT", cls.actions_port)),
                gateway_port=int(env.get("HELPDESK_PORT", cls.gateway_port)),
                model=Path(env.get("HELPDESK_MODEL", str(cls.model))),
                database_url=env.get("DATABASE_URL") or cls.database_url,
                telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
                telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
                telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
                telegram_api_url=env.get("TELEGRAM_API_URL") or cls.telegram_api_url,
                telegram_staff_chat=int(env["TELEGRAM_STAFF_CHAT_ID"]) if env.get("TELEGRAM_STAFF_CHAT_ID") else None,
                business_hours=Path(env.get("HELPDESK_BUSINESS_HOURS") or cls.business_hours),
                canned_replies=Path(env.get("HELPDESK_CANNED_REPLIES") or cls.canned_replies),
                secret_key=env.get("HELPDESK_SECRET_KEY") or None,
                secure_cookies=env.get("HELPDESK_SECURE_COOKIES", "") in ("1", "true", "yes"),
                smtp_host=env.get("HELPDESK_SMTP_HOST") or None,
                smtp_port=int(env.get("HELPDESK_SMTP_PORT") or cls.smtp_port),
                smtp_security=env.get("HELPDESK_SMTP_SECURITY") or cls.smtp_security,
                smtp_user=env.get("HELPDESK_SMTP_USER") or None,
                smtp_password=env.get("HELPDESK_SMTP_PASSWORD") or None,
                mail_from=env.get("HELPDESK_MAIL_FROM") or None,
            )
        except ValueError as error:
            raise SystemExit(f"Invalid setting in the environment: {error}") from None
        if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
            raise SystemExit("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (Telegram sends it back with "
                             "every update, so the gateway can refuse forged ones).")
        if settings.smtp_security not in SMTP_SECURITY:
            raise SystemExit(f"HELPDESK_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, "
                             f"not {settings.smtp_security!r}.")
        if bool(settings.smtp_host) != bool(settings.mail_from):
            raise SystemExit("Mail needs both HELPDESK_SMTP_HOST and HELPDESK_MAIL_FROM (the sender address); "
                             "set both, or neither to keep mail off.")
        return settings

    def env(self) -> dict:
        """The environment that gives child processes these same settings."""
        values = {"HELPDESK_HOST": self.host, "HELPDESK_RASA_PORT": self.rasa_port,
                  "HELPDESK_ACTIONS_PORT": self.actions_port, "HELPDESK_PORT": self.gateway_port,
                  "HELPDESK_MODEL": self.model, "DATABASE_URL": self.database_url,
                  "TELEGRAM_BOT_TOKEN": self.telegram_token, "TELEGRAM_WEBHOOK_URL": self.telegram_webhook_url,
                  "TELEGRAM_WEBHOOK_SECRET": self.telegram_webhook_secret, "TELEGRAM_API_URL": self.telegram_api_url,
                  "TELEGRAM_STAFF_CHAT_ID": self.telegram_staff_chat, "HELPDESK_BUSINESS_HOURS": self.business_hours, "HELPDESK_CANNED_REPLIES": self.canned_replies,
                  "HELPDESK_SECRET_KEY": self.secret_key,
                  "HELPDESK_SECURE_COOKIES": "1" if self.secure_cookies else None,
                  "HELPDESK_SMTP_HOST": self.smtp_host, "HELPDESK_SMTP_PORT": self.smtp_port,
                  "HELPDESK_SMTP_SECURITY": self.smtp_security, "HELPDESK_SMTP_USER": self.smtp_user,
                  "HELPDESK_SMTP_PASSWORD": self.smtp_password, "HELPDESK_MAIL_FROM": self.mail_from}
        return {key: str(value) for key, value in values.items() if value is not None}


def session_secret(settings: Settings, keep_in: Path = DEFAULT_DATABASE.parent / "secret_key") -> str:
    """The configured secret, or one made once and kept (readable by this user only) so logins survive restarts."""
    if settings.secret_key:
        return settings.secret_key
    if not keep_in.exists():
        keep_in.parent.mkdir(parents=True, exist_ok=True)
        keep_in.touch(mode=0o600)
        keep_in.write_text(secrets.token_urlsafe(48))
    return keep_in.read_text().strip()
