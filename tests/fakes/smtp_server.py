"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for mail tests."""
from __future__ import annotations

import asyncio
import contextlib
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator, List, Tuple

from aiosmtpd.controller import Controller

from tests.servers import free_port


class Inbox:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: List[Tuple[List[str], EmailMessage]] = []  # (envelope recipients, message)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    async def next_mail(self, timeout: float = 10.0) -> Tuple[List[str], EmailMessage]:
        for _ in range(int(timeout / 0.05)):
            if self.received:
                return self.received.pop(0)
            await asyncio.sleep(0.05)
        raise AssertionError(f"no mail within {timeout} s")


@contextlib.contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
