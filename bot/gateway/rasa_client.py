"""Talks to the Rasa server over its REST channel."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import aiohttp

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa (or its action server) did not answer; the message stays pending and is retried."""


@dataclass
class BotTurn:
    """What Rasa said to one message: the messages to show and the bot's signals to the gateway."""
    replies: List[Dict[str, Any]]
    language: Optional[str] = None
    topic: Optional[str] = None
    handoff: Optional[Dict[str, Any]] = None


def read_turn(messages: List[Dict[str, Any]]) -> BotTurn:
    turn = BotTurn(replies=[])
    for message in messages:
        custom = message.get("custom") or {}
        if "turn" in custom:
            turn.language = custom["turn"].get("language")
            turn.topic = custom["turn"].get("topic")
        if "handoff" in custom:
            turn.handoff = custom["handoff"]
        if message.get("text"):
            turn.replies.append({"text": message["text"], "buttons": [
                {"title": b["title"], "payload": b["payload"]} for b in message.get("buttons") or []]})
    return turn


class RasaClient:
    """aiohttp rather than httpx here: this call is on every message's path, and httpx (through
    httpcore) spent about 3 ms of CPU per request, more than the rest of the gateway's own work."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # created on first use: aiohttp binds a session to the running loop
            self._session = aiohttp.ClientSession(self._base_url, timeout=self._timeout)
        return self._session

    async def send(self, sender: str, text: str, metadata: Dict[str, Any]) -> BotTurn:
        try:
            async with self._client().post("/webhooks/rest/webhook", json={
                    "sender": sender, "message": text, "metadata": metadata}) as response:
                status = response.status
                messages = await response.json() if status < 400 else None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(f"Rasa did not answer: {error!r}") from error
        if status >= 500:
            raise RasaUnavailable(f"Rasa answered {status}")
        if status >= 400:  # a request Rasa refused is a bug here, not an outage: retrying would not help
            raise RuntimeError(f"Rasa refused the message: HTTP {status}")
        turn = read_turn(messages)
        if not turn.replies:
            # action_respond answers every message; silence means the action server failed.
            raise RasaUnavailable("Rasa answered nothing (is the action server up?)")
        return turn

    async def reset(self, sender: str, language: Optional[str]) -> None:
        """Starts the bot's side of a conversation afresh (after staff hand it back), keeping its language."""
        events: List[Dict[str, Any]] = [{"event": "restart"}]
        if language:
            events.append({"event": "slot", "name": "language", "value": language})
        try:
            async with self._client().post(f"/conversations/{sender}/tracker/events", json=events) as response:
                response.raise_for_status()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # the next message then continues the old context; not worth failing
            log.warning("could not reset the bot's conversation: %r", error)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
