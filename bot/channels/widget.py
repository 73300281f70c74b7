"""The website widget's WebSocket channel (protocol: bot/web/static/widget.js).

The client names its conversation with a random session token kept in the browser
and each message with a client id; a message resent after a dropped connection
carries the same id and is answered once.
"""
from __future__ import annotations

import logging
import re
import time
from collections import defaultdict, deque
from typing import Any, Deque, Dict, Optional, Set

from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.gateway.catalogue import LANGUAGES
from bot.gateway.conversations import MAX_TEXT, Conversations
from bot.store.transcripts import ConversationView, MessageView

log = logging.getLogger(__name__)

CHANNEL = "widget"
_TOKEN = re.compile(r"^[A-Za-z0-9-]{16,64}$")
FLOOD_MESSAGES, FLOOD_SECONDS = 12, 10.0


def message_json(message: MessageView) -> Dict[str, Any]:
    return {"type": "message", "id": message.id, "from": message.author, "text": message.text,
            "buttons": message.buttons, "client_id": message.client_id,
            "at": message.created_at.isoformat() if message.created_at else None}


class WidgetChannel:
    def __init__(self, conversations: Conversations):
        self._conversations = conversations
        self._sockets: Dict[int, Set[WebSocket]] = defaultdict(set)
        conversations.add_channel(CHANNEL, self.deliver, self.typing)

    async def deliver(self, conversation: ConversationView, message: MessageView) -> bool:
        return await self._push(conversation.id, message_json(message))

    async def typing(self, conversation: ConversationView, on: bool) -> None:
        await self._push(conversation.id, {"type": "typing", "on": on})

    async def _push(self, conversation_id: int, frame: Dict[str, Any]) -> bool:
        delivered = False
        for socket in list(self._sockets.get(conversation_id, ())):
            try:
                await socket.send_json(frame)
                delivered = True
            except Exception:  # the socket went away; the message stays in the history
                self._sockets[conversation_id].discard(socket)
        return delivered

    async def endpoint(self, socket: WebSocket) -> None:
        await socket.accept()
        conversation: Optional[ConversationView] = None
        recent: Deque[float] = deque()
        try:
            while True:
                try:
                    frame = await socket.receive_json()
                except (ValueError, KeyError):  # not JSON, or a binary frame
                    await socket.send_json({"type": "error", "code": "bad_request", "id": None})
                    continue
                if not isinstance(frame, dict):
                    await socket.send_json({"type": "error", "code": "bad_request", "id": None})
                elif frame.get("type") == "hello":
                    conversation = await self._hello(socket, frame, conversation)
                elif frame.get("type") == "message" and conversation is not None:
                    await self._message(socket, frame, conversation, recent)
                else:
                    await socket.send_json({"type": "error", "code": "bad_request", "id": frame.get("id")})
        except WebSocketDisconnect:
            pass
        finally:
            if conversation is not None:
                self._sockets[conversation.id].discard(socket)
                if not self._sockets[conversation.id]:
                    del self._sockets[conversation.id]

    async def _hello(self, socket: WebSocket, frame: Dict[str, Any],
                     previous: Optional[ConversationView]) -> Optional[ConversationView]:
        session = frame.get("session")
        if not isinstance(session, str) or not _TOKEN.match(session):
            await socket.send_json({"type": "error", "code": "bad_request", "id": None})
            return previous
        language = frame.get("language") if frame.get("language") in LANGUAGES else None
        conversation = await self._conversations.db(
            self._conversations.transcripts.open_conversation, CHANNEL, session, language)
        if previous is not None and previous.id != conversation.id:
            self._sockets[previous.id].discard(socket)
        history = await self._conversations.db(self._conversations.transcripts.history, conversation.id)
        await socket.send_json({"type": "history", "messages": [message_json(m) for m in history]})
        self._sockets[conversation.id].add(socket)
        return conversation

    async def _message(self, socket: WebSocket, frame: Dict[str, Any], conversation: ConversationView,
                       recent: Deque[float]) -> None:
        client_id, raw = frame.get("id"), frame.get("text")
        payload = frame.get("payload")
        if not (isinstance(client_id, str) and 0 < len(client_id) <= 64 and isinstance(raw, str)
                and (payload is None or (isinstance(payload, str) and payload.startswith("/")
                                         and len(payload) <= 200))):
            await socket.send_json({"type": "error", "code": "bad_request", "id": client_id})
            return
        if len(raw) > MAX_TEXT:
            await socket.send_json({"type": "error", "code": "too_long", "id": client_id})
            return
        now = time.monotonic()
        while recent and now - recent[0] > FLOOD_SECONDS:
            recent.popleft()
        if len(recent) >= FLOOD_MESSAGES:  # not stored: the client keeps it and may send it again
            await socket.send_json({"type": "error", "code": "rate_limited", "id": client_id})
            return
        recent.append(now)
        await self._conversations.receive(CHANNEL, conversation.external_id, raw, client_id=client_id,
                                          payload=payload, conversation=conversation)
        await socket.send_json({"type": "ack", "id": client_id})
