"""`create_app(settings)`: the gateway's Starlette app. Nothing is opened at import time."""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import AsyncIterator

import anyio
from sqlalchemy import text as sql
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from bot.channels.email import Mailer
from bot.channels.telegram import TelegramChannel
from bot.channels.widget import WidgetChannel
from bot.console.routes import StaffHub, console_routes
from bot.console.security import SESSION_HOURS, LoginLimiter
from bot.gateway.catalogue import LANGUAGES, catalogue
from bot.gateway.conversations import Conversations
from bot.gateway.handoff_gate import HandoffGate
from bot.gateway.rasa_client import RasaClient
from bot.gateway.staff_desk import StaffDesk
from bot.handoff.hours import BusinessHours
from bot.settings import Settings, session_secret
from bot.store.database import create_engine_for, migrate, session_factory
from bot.store.staff import StaffAccounts
from bot.store.tickets import Tickets
from bot.store.transcripts import Transcripts
from bot.web.rendering import templates

log = logging.getLogger(__name__)
WEB = Path(__file__).parent


async def demo_page(request: Request):
    language = request.query_params.get("lang")
    language = language if language in LANGUAGES else "sq"
    return templates.TemplateResponse(request, "demo.html", {"language": language, "texts": catalogue(language)})


async def widget_messages(request: Request):
    language = request.path_params["language"]
    if language not in LANGUAGES:
        raise HTTPException(404, "unknown language")
    # Public texts, fetched by the widget from whichever site embeds it.
    return JSONResponse(catalogue(language)["widget"],
                        headers={"Cache-Control": "max-age=300", "Access-Control-Allow-Origin": "*"})


async def health(request: Request):
    def ping() -> None:
        with request.app.state.engine.connect() as connection:
            connection.execute(sql("SELECT 1"))
    await anyio.to_thread.run_sync(ping)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(migrate, settings.database_url)
        engine = create_engine_for(settings.database_url)
        rasa = RasaClient(settings.rasa_url)
        sessions = session_factory(engine)
        tickets = Tickets(sessions)
        mailer, staff_hub = Mailer(settings), StaffHub()
        gate = HandoffGate(tickets, BusinessHours.from_yaml(settings.business_hours),
                           agents_online=staff_hub.agents_online, mail_enabled=mailer.enabled)
        conversations = Conversations(Transcripts(sessions), rasa, gate,
                                      inline_db=engine.dialect.name == "sqlite")
        app.state.engine, app.state.conversations, app.state.tickets = engine, conversations, tickets
        app.state.settings, app.state.accounts = settings, StaffAccounts(sessions)
        app.state.desk, app.state.staff_hub = StaffDesk(conversations, tickets, rasa, mailer), staff_hub
        app.state.login_limiter = LoginLimiter()
        conversations.listen(app.state.staff_hub.broadcast)
        app.state.widget = WidgetChannel(conversations)
        app.state.telegram = TelegramChannel(settings, conversations) if settings.telegram_token else None
        await conversations.start()
        if app.state.telegram:
            await app.state.telegram.start()
        try:
            yield
        finally:
            if app.state.telegram:
                await app.state.telegram.stop()
            await conversations.stop()
            await app.state.desk.stop()
            await rasa.close()
            engine.dispose()

    async def widget_socket(socket):
        await socket.app.state.widget.endpoint(socket)

    async def telegram_webhook(request: Request):
        if request.app.state.telegram is None or not settings.telegram_webhook_url:
            raise HTTPException(404)
        return await request.app.state.telegram.webhook(request)

    # The staff console's cookie: signed, not readable by scripts, never sent from other sites.
    session = Middleware(SessionMiddleware, secret_key=session_secret(settings), session_cookie="helpdesk_staff",
                         max_age=SESSION_HOURS * 3600, same_site="strict", https_only=settings.secure_cookies)
    return Starlette(lifespan=lifespan, middleware=[session], routes=[*console_routes(),
        Route("/", demo_page),
        Route("/health", health),
        Route("/widget/messages/{language}.json", widget_messages),
        WebSocketRoute("/widget/ws", widget_socket),
        Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
        Mount("/widget", StaticFiles(directory=str(WEB / "static")), name="widget"),
    ])
