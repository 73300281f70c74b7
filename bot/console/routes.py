"""Routes of the staff console. Thin: check who asks and their CSRF token, then call StaffDesk."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import anyio
import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.channels.widget import message_json
from bot.console.security import LoginLimiter, csrf_ok, csrf_token, current_staff, log_in
from bot.gateway.catalogue import LANGUAGES, catalogue
from bot.handoff.queue import Event, IllegalTransition, State, Ticket, allowed_events
from bot.gateway.staff_desk import actor_of
from bot.store.staff import StaffView
from bot.store.tickets import TicketConflict
from bot.web.rendering import templates

log = logging.getLogger(__name__)
MOVES = {"claim": Event.CLAIM, "release": Event.RELEASE, "transfer": Event.TRANSFER, "hand_back": Event.HAND_BACK,
         "resolve": Event.RESOLVE}
MAX_REPLY = 4000


def _language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.session.get("lang")
    language = asked if asked in LANGUAGES else "sq"
    request.session["lang"] = language
    return language


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def login_page(request: Request) -> Response:
    if current_staff(request):
        return RedirectResponse("/staff", status_code=303)
    language = _language(request)
    return templates.TemplateResponse(request, "login.html", {
        "texts": catalogue(language), "language": language, "csrf_token": csrf_token(request), "error": None,
        "username": ""})


async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")).strip()[:64], str(form.get("password", ""))[:1024]
    language = _language(request)
    address = request.client.host if request.client else "?"
    limiter: LoginLimiter = request.app.state.login_limiter
    error, status = None, 200
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        error, status = catalogue(language)["console"]["session_expired"], 400
    elif limiter.blocked(address, username):
        error, status = catalogue(language)["console"]["too_many_attempts"], 429
    else:
        # argon2 is slow on purpose: never on the event loop
        member = await anyio.to_thread.run_sync(request.app.state.accounts.verify, username, password)
        if member:
            limiter.succeeded(address, username)
            log_in(request, member)
            request.session["lang"] = language
            log.info("staff %s logged in", member.username)
            return RedirectResponse("/staff", status_code=303)
        limiter.failed(address, username)
        error, status = catalogue(language)["console"]["login_failed"], 401
    return templates.TemplateResponse(request, "login.html", {
        "texts": catalogue(language), "language": language, "csrf_token": csrf_token(request), "error": error,
        "username": username}, status_code=status)


async def logout(request: Request) -> Response:
    form = await request.form()
    if csrf_ok(request, str(form.get("csrf_token", ""))):
        request.session.clear()
    return RedirectResponse("/staff/login", status_code=303)


async def console_page(request: Request) -> Response:
    member = current_staff(request)
    if member is None:
        return RedirectResponse("/staff/login", status_code=303)
    language = _language(request)
    return templates.TemplateResponse(request, "console.html", {
        "texts": catalogue(language), "language": language, "csrf_token": csrf_token(request), "me": member})


def _staff_or_none(request: Request, writing: bool) -> Optional[StaffView]:
    member = current_staff(request)
    if member is None or (writing and not csrf_ok(request, request.headers.get("X-CSRF-Token"))):
        return None
    return member


def _ticket_json(request: Request, ticket: Ticket) -> Dict[str, Any]:
    transcripts = request.app.state.conversations.transcripts
    conversation = transcripts.conversation(ticket.conversation_id)
    last_user = next((m.text for m in reversed(transcripts.history(ticket.conversation_id, limit=50))
                      if m.author == "user"), "")
    return {"id": ticket.id, "conversation_id": ticket.conversation_id, "state": ticket.state.value,
            "agent": ticket.agent, "reason": ticket.reason, "language": ticket.language, "topic": ticket.topic,
            "channel": conversation.channel, "opened_at": ticket.opened_at.isoformat(),
            "waiting_seconds": int((datetime.now(timezone.utc) - _aware(ticket.opened_at)).total_seconds()),
            "preview": last_user[:200]}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite returns naive UTC


async def state(request: Request) -> Response:
    member = _staff_or_none(request, writing=False)
    if member is None:
        return _error("log in again", 401)

    def board() -> Dict[str, Any]:
        tickets = request.app.state.tickets
        active = tickets.in_states(State.WAITING, State.ASSIGNED, State.OFFLINE)
        as_json = [(_ticket_json(request, t), t) for t in active]
        return {"me": {"username": member.username, "display_name": member.display_name, "role": member.role},
                "waiting": [j for j, t in as_json if t.state == State.WAITING],
                "mine": [j for j, t in as_json if t.state == State.ASSIGNED and t.agent == member.username],
                "others": [j for j, t in as_json if t.state == State.ASSIGNED and t.agent != member.username],
                "offline": [j for j, t in as_json if t.state == State.OFFLINE],
                "agents": request.app.state.accounts.colleagues()}
    return JSONResponse(await request.app.state.conversations.db(board))


async def ticket_detail(request: Request) -> Response:
    member = _staff_or_none(request, writing=False)
    if member is None:
        return _error("log in again", 401)
    ticket_id = request.path_params["ticket_id"]

    def detail() -> Optional[Dict[str, Any]]:
        tickets = request.app.state.tickets
        try:
            ticket = tickets.get(ticket_id)
        except KeyError:
            return None
        history = request.app.state.conversations.transcripts.history(ticket.conversation_id)
        return {"ticket": _ticket_json(request, ticket) | {"email": tickets.email(ticket_id)},
                "transcript": [message_json(m) | {"status": m.status} for m in history],
                "notes": tickets.notes(ticket_id),
                "history": [{"event": t.event.value, "actor": t.actor, "at": t.at.isoformat(), "to_agent": t.to_agent}
                            for t in tickets.history(ticket_id)],
                "allowed": [e.value for e in allowed_events(ticket, actor_of(member))]}
    found = await request.app.state.conversations.db(detail)
    return JSONResponse(found) if found else _error("no such ticket", 404)


async def ticket_move(request: Request) -> Response:
    member = _staff_or_none(request, writing=True)
    if member is None:
        return _error("log in again (or reload the page)", 403)
    event = MOVES.get(request.path_params["action"])
    if event is None:
        return _error("unknown action", 404)
    body = await _json(request)
    try:
        ticket = await request.app.state.desk.move(request.path_params["ticket_id"], event, member,
                                                   to_agent=body.get("to_agent"))
    except KeyError:
        return _error("no such ticket", 404)
    except (IllegalTransition, TicketConflict, ValueError) as refused:
        return _error(str(refused), 409)
    return JSONResponse({"ticket": await request.app.state.conversations.db(_ticket_json, request, ticket)})


async def ticket_message(request: Request) -> Response:
    member = _staff_or_none(request, writing=True)
    if member is None:
        return _error("log in again (or reload the page)", 403)
    body = await _json(request)
    words = body.get("text")
    if not isinstance(words, str) or not words.strip() or len(words) > MAX_REPLY:
        return _error(f"write between 1 and {MAX_REPLY} characters", 400)
    desk, ticket_id = request.app.state.desk, request.path_params["ticket_id"]
    try:
        if body.get("internal"):
            return JSONResponse({"note": await desk.note(ticket_id, member, words)})
        message = await desk.reply(ticket_id, member, words)
    except PermissionError as refused:
        return _error(str(refused), 409)
    except KeyError:
        return _error("no such ticket", 404)
    return JSONResponse({"message": message_json(message)})


async def canned(request: Request) -> Response:
    if current_staff(request) is None:
        return _error("log in again", 401)
    return JSONResponse(yaml.safe_load(request.app.state.settings.canned_replies.read_text(encoding="utf-8")))


def _day(value: Optional[str]) -> Optional[datetime]:
    """A YYYY-MM-DD date from the search form, as the start of that day in UTC."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)


async def search(request: Request) -> Response:
    if current_staff(request) is None:
        return _error("log in again", 401)
    params = request.query_params
    try:
        since, until = _day(params.get("from")), _day(params.get("to"))
    except ValueError:
        return _error("dates are written YYYY-MM-DD", 400)
    until = until + timedelta(days=1) if until else None  # "to" includes that whole day
    found = await request.app.state.conversations.db(
        request.app.state.conversations.transcripts.search, params.get("q", "")[:200], params.get("topic") or None,
        params.get("channel") or None, since, until)
    return JSONResponse({"results": found})


async def conversation_detail(request: Request) -> Response:
    if current_staff(request) is None:
        return _error("log in again", 401)
    conversation_id = request.path_params["conversation_id"]

    def detail() -> Dict[str, Any]:
        history = request.app.state.conversations.transcripts.history(conversation_id)
        tickets = request.app.state.tickets.of_conversation(conversation_id)
        return {"transcript": [message_json(m) | {"status": m.status} for m in history],
                "tickets": [{"id": t.id, "state": t.state.value, "agent": t.agent,
                             "opened_at": t.opened_at.isoformat()} for t in tickets]}
    return JSONResponse(await request.app.state.conversations.db(detail))


async def _json(request: Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class StaffHub:
    """Open console sockets; every change of the queue is pushed to all of them at once."""

    def __init__(self) -> None:
        self._sockets: Dict[WebSocket, str] = {}  # socket -> the staff member's username

    def agents_online(self) -> int:
        """Staff with a console open: the waiting time told to users is divided among them."""
        return len(set(self._sockets.values()))

    async def broadcast(self, event: Dict[str, Any]) -> None:
        if event.get("type") == "message":
            event = {**event, "message": message_json(event["message"])}
        for socket in list(self._sockets):
            try:
                await socket.send_json(event)
            except Exception:
                self._sockets.pop(socket, None)

    async def endpoint(self, socket: WebSocket) -> None:
        await socket.accept()
        member = current_staff(socket)
        if member is None:
            await socket.close(code=4401)
            return
        self._sockets[socket] = member.username
        try:
            while True:
                await socket.receive_text()  # the console only listens; this notices it leaving
        except WebSocketDisconnect:
            pass
        finally:
            self._sockets.pop(socket, None)


def console_routes() -> List[BaseRoute]:
    async def hub(socket: WebSocket) -> None:
        await socket.app.state.staff_hub.endpoint(socket)

    return [
        Route("/staff/login", login_page, methods=["GET"]),
        Route("/staff/login", login, methods=["POST"]),
        Route("/staff/logout", logout, methods=["POST"]),
        Route("/staff", console_page),
        Route("/staff/api/state", state),
        Route("/staff/api/canned", canned),
        Route("/staff/api/search", search),
        Route("/staff/api/conversations/{conversation_id:int}", conversation_detail),
        Route("/staff/api/tickets/{ticket_id:int}", ticket_detail),
        Route("/staff/api/tickets/{ticket_id:int}/messages", ticket_message, methods=["POST"]),
        Route("/staff/api/tickets/{ticket_id:int}/{action}", ticket_move, methods=["POST"]),
        WebSocketRoute("/staff/ws", hub),
    ]
