"""A stand-in for the Rasa server's REST channel, for the gateway's own tests.

It answers like our bot does (text, buttons, the `turn` and `handoff` signals), so
the gateway can be tested with Rasa up, down, or coming back, in milliseconds.
"""
from __future__ import annotations

from typing import Any, Dict, List

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class FakeRasa:
    def __init__(self):
        self.received: List[Dict[str, Any]] = []
        self.silent = False  # as Rasa answers when the action server is down
        self.app = Starlette(routes=[Route("/webhooks/rest/webhook", self._webhook, methods=["POST"])])

    async def _webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.received.append(body)
        if self.silent:
            return JSONResponse([])
        language = (body.get("metadata") or {}).get("language") or "sq"
        message = body["message"]
        signal: Dict[str, Any] = {"turn": {"language": language, "topic": "registration.steps"}}
        if message == "/handoff.request":
            signal["handoff"] = {"reason": "request", "language": language, "last_article": None}
            signal["turn"]["topic"] = "handoff.request"
        return JSONResponse([
            {"recipient_id": body["sender"], "text": f"answer to: {message}",
             "buttons": [{"title": "More", "payload": "/article.more"}]},
            {"recipient_id": body["sender"], "custom": signal},
        ])

    def messages_from(self, sender: str) -> List[str]:
        return [body["message"] for body in self.received if body["sender"] == sender]
