"""A widget client for tests: speaks the protocol of bot/web/static/widget.js over a real WebSocket."""
import asyncio
import json
import uuid

import websockets

from tests.servers import LocalServer

WAIT = 10.0


class Widget:
    """A widget client speaking the protocol of bot/web/static/widget.js."""

    def __init__(self, url: str, session: str, language: str = "sq"):
        self.url, self.session, self.language = url, session, language

    async def __aenter__(self):
        self.socket = await websockets.connect(self.url)
        await self.socket.send(json.dumps({"type": "hello", "session": self.session, "language": self.language}))
        self.history = (await self.next("history"))["messages"]
        return self

    async def __aexit__(self, *exc):
        await self.socket.close()

    async def next(self, kind: str, timeout: float = WAIT):
        """The next frame of this type (typing frames and others are skipped)."""
        while True:
            frame = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if frame["type"] == kind:
                return frame

    async def say(self, text: str, client_id: str = None, **extra):
        client_id = client_id or uuid.uuid4().hex
        await self.socket.send(json.dumps({"type": "message", "id": client_id, "text": text, **extra}))
        return client_id

    async def nothing_more(self, kind: str = "message", seconds: float = 1.0) -> bool:
        try:
            await self.next(kind, timeout=seconds)
            return False
        except asyncio.TimeoutError:
            return True


def socket_url(server: LocalServer) -> str:
    return server.url.replace("http://", "ws://") + "/widget/ws"
