"""Answers by email, for users who left an address with a question asked outside business hours.

Outbound only: replies to these mails reach the centre's mailbox (the sender address), not the
help desk. Sent with the standard library's smtplib in a thread, so a slow mail server never
holds up the event loop.
"""
from __future__ import annotations

import asyncio
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Optional

from email_validator import EmailNotValidError, validate_email

from bot.settings import Settings

# Candidates only; email_validator decides. Stops at spaces and the punctuation around addresses in prose.
_CANDIDATE = re.compile(r"[^\s<>()\[\]{},;:\"'@]+@[^\s<>()\[\]{},;:\"'@]+")


def find_address(text: str) -> Optional[str]:
    """The first valid email address written in `text` (normalised), if any."""
    for candidate in _CANDIDATE.findall(text[:2000]):
        try:
            return validate_email(candidate.rstrip("."), check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


class MailError(Exception):
    """The mail server refused or could not be reached; the message says why."""


class Mailer:
    def __init__(self, settings: Settings, timeout: float = 20.0):
        self._settings = settings
        self._timeout = timeout

    @property
    def enabled(self) -> bool:
        return self._settings.mail_enabled

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._settings.mail_from, to, subject
        message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="helpdesk")
        message.set_content(body)
        try:
            await asyncio.to_thread(self._deliver, message)
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"{type(error).__name__}: {error}") from error

    def _deliver(self, message: EmailMessage) -> None:
        s = self._settings
        context = ssl.create_default_context()
        if s.smtp_security == "ssl":
            server = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=self._timeout, context=context)
        else:
            server = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self._timeout)
        with server:
            if s.smtp_security == "starttls":
                server.starttls(context=context)
            if s.smtp_user:
                server.login(s.smtp_user, s.smtp_password or "")
            server.send_message(message)
