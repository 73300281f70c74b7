"""A local fake of Telegram's Bot API server (https://core.telegram.org/bots/api) for tests.

Point the real client at it and drive the bot from the test:

    with FakeBotApi() as fake:                      # or `async with` inside an async test
        app = (Application.builder().token(fake.token)
               .base_url(f"{fake.url}/bot").base_file_url(f"{fake.url}/file/bot").build())
        ...
        fake.send_text(42, "Përshëndetje")
        [call] = await fake.wait_for_call("sendMessage")

The fake speaks HTTP like Telegram does: `/bot<token>/<method>` by GET or POST, parameters in
the query string, a JSON body, a form or a multipart body; answers are `{"ok": true, "result":
...}` or `{"ok": false, "error_code": ..., "description": ...}` with the same HTTP status.
It is deliberately lenient where Telegram's strictness would only get in the way of local tests
(plain-http webhook urls, chats it has never seen) and strict where bots commonly have bugs
(editing a message without changing it, answering a callback query twice, over-long texts).
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.servers import LocalServer

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-token"
DEFAULT_USER_ID = 7_000_001  # who writes in group chats unless a test names someone

# PTB (like most clients) JSON-encodes every non-string parameter of a form; these parameters are
# strings in the Bot API, so they are kept verbatim even when they happen to look like JSON.
STRING_PARAMS = frozenset({
    "action", "address", "business_connection_id", "callback_query_id", "caption", "description",
    "emoji", "explanation", "file_id", "first_name", "inline_message_id", "ip_address",
    "language_code", "last_name", "message_effect_id", "name", "next_offset", "parse_mode",
    "payload", "phone_number", "query", "question", "secret_token", "short_description",
    "switch_pm_parameter", "switch_pm_text", "text", "title", "url", "vcard",
    "animation", "audio", "document", "photo", "sticker", "thumbnail", "video", "video_note",
    "voice",
})
# Telegram sends these only to bots that ask for them explicitly.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass(frozen=True)
class Call:
    """One Bot API call as the bot made it: the method's canonical name and decoded parameters."""

    method: str
    params: JSONDict
    # What the fake answered, for tests that need e.g. the message_id it assigned.
    response: JSONDict | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class ApiError(Exception):
    """An error answer of the Bot API; its HTTP status is its error_code."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _decode_param(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id "@channelname"


async def read_params(request: Request) -> JSONDict:
    """The request's parameters from its query string and body, in any encoding Telegram takes."""
    raw: JSONDict = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("the JSON body is not an object")
            raw.update(data)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form() as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    value = UploadedFile(value.filename, value.content_type, await value.read())
                raw[name] = value
    return {name: _decode_param(name, value) for name, value in raw.items()}


def _now() -> int:
    return int(time.time())


def _utf16_length(text: str) -> int:
    # Telegram measures entity offsets and lengths in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def _text_content(text: str, entities: list[JSONDict] | None) -> JSONDict:
    if entities is None and text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities = [{"type": "bot_command", "offset": 0, "length": _utf16_length(command)}]
    return {"text": text, "entities": entities} if entities else {"text": text}


def _int_param(params: JSONDict, name: str, default: int | None = None) -> int:
    value = params.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise ApiError(400, f"Bad Request: {name} is empty")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, f"Bad Request: wrong parameter {name}")
    return value


def _check_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if len(str(button.get("callback_data", "")).encode()) > MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _inline_keyboard(markup: Any) -> JSONDict | None:
    # A Message carries only inline keyboards; reply keyboards live in the user's client.
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _update_type(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


class FakeBotApi:
    """Telegram's Bot API for one bot, in process, with helpers to feed updates and inspect calls.

    Thread-safe: the server may run in its own thread (`with`) while the test feeds updates, or
    in the test's event loop (`async with`).
    """

    def __init__(self, token: str = DEFAULT_TOKEN, bot_username: str = "kcsf_helpdesk_bot",
                 bot_first_name: str = "KCSF Helpdesk") -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user: JSONDict = {
            "id": int(prefix) if prefix.isdigit() else 123456, "is_bot": True,
            "first_name": bot_first_name, "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
        }
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._rejected: list[Call] = []
        self._updates: list[JSONDict] = []  # unconfirmed updates, oldest first
        self._next_update_id = 1
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_query_ids = itertools.count(4_382_000_000_001)
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}  # (chat id, message id) -> current
        self._open_callback_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook: JSONDict | None = None
        self._allowed_updates: list[str] = []
        self._rate_limits: dict[str, list[int]] = {}  # lower-case method -> [times, retry_after]
        self._poll_generation = 0  # bumped by every getUpdates; older pending polls then conflict
        self._waiters: set[asyncio.Event] = set()  # pending long polls
        self._closing = False
        self._methods: dict[str, tuple[str, Callable[[JSONDict], Awaitable[Any]]]] = {
            name.lower(): (name, handler) for name, handler in {
                "getMe": self._get_me, "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info, "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action, "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
            }.items()
        }
        app = Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/{path:path}", self._not_found, methods=["GET", "POST"]),
        ])
        self._server = LocalServer(app, on_stop=self._wake_for_shutdown)

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base url, e.g. `http://127.0.0.1:PORT`; the bot's base_url is `{url}/bot`."""
        return self._server.url

    def start(self) -> FakeBotApi:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeBotApi:
        await self._server.astart()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._server.astop()

    # -- inspecting and steering calls ------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Calls the fake executed (successfully or not), in the order it answered them."""
        with self._lock:
            return list(self._calls)

    @property
    def rejected(self) -> list[Call]:
        """Calls refused before execution: wrong token (401) or a simulated rate limit (429)."""
        with self._lock:
            return list(self._rejected)

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (or delivered to its webhook)."""
        with self._lock:
            return list(self._updates)

    @property
    def webhook(self) -> JSONDict | None:
        """The setWebhook parameters in force, or None in getUpdates mode."""
        with self._lock:
            return dict(self._webhook) if self._webhook else None

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method.lower() == method.lower()]

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()
            self._rejected.clear()

    async def wait_for_call(self, method: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """Waits until the bot has made `count` calls to `method`; returns all calls to it."""
        deadline = time.monotonic() + timeout
        while len(calls := self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise self._timeout(method, count, timeout)
            await asyncio.sleep(0.01)
        return calls

    def wait_for_call_sync(self, method: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """`wait_for_call` for synchronous tests (with the server in its own thread)."""
        deadline = time.monotonic() + timeout
        while len(calls := self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise self._timeout(method, count, timeout)
            time.sleep(0.01)
        return calls

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answers the next `times` calls to `method` with 429 Too Many Requests."""
        with self._lock:
            self._rate_limits[method.lower()] = [times, retry_after]

    def _timeout(self, method: str, count: int, timeout: float) -> TimeoutError:
        made = [call.method for call in self.calls]
        return TimeoutError(f"expected {count} call(s) to {method} within {timeout}s; calls: {made}")

    # -- feeding updates --------------------------------------------------------------------

    def add_update(self, update: JSONDict) -> int:
        """Queues any update; an update_id is assigned unless given. Returns the update_id."""
        with self._lock:
            update_id = update.get("update_id", self._next_update_id)
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._updates.append({"update_id": update_id, **update})
        self._notify()
        return update_id

    def send_text(self, chat_id: int, text: str, language_code: str | None = "sq",
                  chat_type: str = "private", user_id: int | None = None,
                  entities: list[JSONDict] | None = None) -> int:
        """A user writes `text`; a leading /command gets its bot_command entity automatically."""
        return self._user_message(chat_id, _text_content(text, entities), language_code, chat_type,
                                  user_id)

    def send_photo(self, chat_id: int, caption: str | None = None, *,
                   language_code: str | None = "sq", chat_type: str = "private",
                   user_id: int | None = None) -> int:
        sizes = [self._file(width=90, height=67, file_size=1_264),
                 self._file(width=800, height=600, file_size=48_310)]
        content: JSONDict = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return self._user_message(chat_id, content, language_code, chat_type, user_id)

    def send_sticker(self, chat_id: int, *, language_code: str | None = "sq",
                     chat_type: str = "private", user_id: int | None = None) -> int:
        sticker = self._file(type="regular", width=512, height=512, is_animated=False,
                             is_video=False, emoji="👍", file_size=21_500)
        return self._user_message(chat_id, {"sticker": sticker}, language_code, chat_type, user_id)

    def send_voice(self, chat_id: int, *, language_code: str | None = "sq",
                   chat_type: str = "private", user_id: int | None = None) -> int:
        voice = self._file(duration=3, mime_type="audio/ogg", file_size=9_870)
        return self._user_message(chat_id, {"voice": voice}, language_code, chat_type, user_id)

    def send_document(self, chat_id: int, *, language_code: str | None = "sq",
                      chat_type: str = "private", user_id: int | None = None) -> int:
        document = self._file(file_name="dokument.pdf", mime_type="application/pdf",
                              file_size=131_072)
        return self._user_message(chat_id, {"document": document}, language_code, chat_type,
                                  user_id)

    def edit_text(self, chat_id: int, message_id: int, text: str) -> int:
        """The user edits a message they sent earlier through this fake."""
        with self._lock:
            original = self._messages.get((chat_id, message_id))
            if original is None:
                raise KeyError(f"no message {message_id} in chat {chat_id} was sent via the fake")
            rest = {k: v for k, v in original.items() if k not in ("text", "entities")}
            edited = {**rest, **_text_content(text, None), "edit_date": _now()}
            self._messages[(chat_id, message_id)] = edited
        return self.add_update({"edited_message": edited})

    def press_button(self, chat_id: int, message_id: int, data: str,
                     language_code: str | None = "sq", user_id: int | None = None) -> int:
        """The user presses the inline button with callback_data `data` under a message.

        The message must carry such a button if the bot sent it through this fake; a message the
        fake never saw arrives as an InaccessibleMessage (date 0), as Telegram does for old ones.
        """
        with self._lock:
            message = self._messages.get((chat_id, message_id))
            chat = self._chats.get(chat_id) or self._default_chat(chat_id)
            if message is None:
                message = {"chat": chat, "message_id": message_id, "date": 0}
            else:
                rows = message.get("reply_markup", {}).get("inline_keyboard", [])
                if data not in [button.get("callback_data") for row in rows for button in row]:
                    raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
            query_id = str(next(self._callback_query_ids))
            self._open_callback_queries.add(query_id)
        query = {
            "id": query_id, "from": self._user(chat, user_id, language_code), "message": message,
            "chat_instance": f"instance-{chat_id}", "data": data,
        }
        return self.add_update({"callback_query": query})

    async def deliver_webhook(self, update: int | JSONDict,
                              secret_token: str | None | EllipsisType = ...) -> int:
        """POSTs an update (a queued update_id, or the update itself) to the webhook url.

        The secret token header defaults to setWebhook's; pass None to leave it out, or another
        string to play a forger. A 2xx answer confirms a queued update. Returns the HTTP status.
        """
        with self._lock:
            if self._webhook is None:
                raise RuntimeError("no webhook is set: the bot has not called setWebhook")
            webhook = dict(self._webhook)
            if isinstance(update, int):
                queued = [u for u in self._updates if u["update_id"] == update]
                if not queued:
                    raise KeyError(f"update {update} is not queued")
                update = queued[0]
        token = webhook.get("secret_token") if secret_token is ... else secret_token
        headers = {} if token is None else {"X-Telegram-Bot-Api-Secret-Token": token}
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            response = await client.post(webhook["url"], json=update, headers=headers)
        if response.is_success:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
        return response.status_code

    def _user_message(self, chat_id: int, content: JSONDict, language_code: str | None,
                      chat_type: str, user_id: int | None) -> int:
        if chat_type not in ("private", "group", "supergroup"):
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        if (chat_type == "private") != (chat_id > 0):
            raise ValueError("private chats have positive ids, group chats negative ones")
        chat: JSONDict = ({"id": chat_id, "type": "private", "first_name": "Test"}
                          if chat_type == "private"
                          else {"id": chat_id, "type": chat_type, "title": "Test group"})
        with self._lock:
            self._chats[chat_id] = chat
            message = {
                "message_id": next(self._message_ids), "from": self._user(chat, user_id, language_code),
                "chat": chat, "date": _now(), **content,
            }
            self._messages[(chat_id, message["message_id"])] = message
        return self.add_update({"message": message})

    @staticmethod
    def _user(chat: JSONDict, user_id: int | None, language_code: str | None) -> JSONDict:
        if chat["type"] == "private":
            if user_id not in (None, chat["id"]):
                raise ValueError("in a private chat the user id is the chat id")
            user_id = chat["id"]
        user: JSONDict = {"id": user_id or DEFAULT_USER_ID, "is_bot": False, "first_name": "Test"}
        if language_code:  # Telegram leaves it out when the client does not say
            user["language_code"] = language_code
        return user

    def _file(self, **fields: Any) -> JSONDict:
        number = next(self._file_ids)
        return {"file_id": f"AgACAgQAAxkBAAI{number:06d}", "file_unique_id": f"AQAD{number:06d}",
                **fields}

    # -- HTTP -------------------------------------------------------------------------------

    async def _not_found(self, request: Request) -> JSONResponse:
        return JSONResponse(ApiError(404, "Not Found").body(), status_code=404)

    async def _endpoint(self, request: Request) -> JSONResponse:
        name = request.path_params["method"]
        canonical, handler = self._methods.get(name.lower(), (name, None))
        try:
            params = await read_params(request)
        except ValueError as exc:
            return JSONResponse(ApiError(400, f"Bad Request: {exc}").body(), status_code=400)
        if request.path_params["token"] != self.token:
            return self._refuse(canonical, params, ApiError(401, "Unauthorized"))
        with self._lock:
            limit = self._rate_limits.get(name.lower())
            if limit and limit[0] > 0:
                limit[0] -= 1
                retry_after = limit[1]
                return self._refuse(canonical, params, ApiError(
                    429, f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after}))
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            body: JSONDict = {"ok": True, "result": await handler(params)}
        except ApiError as exc:
            body = exc.body()
        except Exception:  # a bug in the fake: answer like Telegram's 500 and keep serving
            logger.exception("fake Bot API failed on %s", canonical)
            body = ApiError(500, "Internal Server Error").body()
        with self._lock:
            self._calls.append(Call(canonical, params, body))
        return JSONResponse(body, status_code=body.get("error_code", 200))

    def _refuse(self, method: str, params: JSONDict, error: ApiError) -> JSONResponse:
        body = error.body()
        with self._lock:
            self._rejected.append(Call(method, params, body))
        return JSONResponse(body, status_code=error.code)

    def _notify(self) -> None:
        """Wakes pending long polls to re-check the queue; callable from any thread."""
        loop = self._server.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                loop.call_soon_threadsafe(self._wake_waiters)

    def _wake_waiters(self) -> None:
        with self._lock:
            for waiter in self._waiters:
                waiter.set()

    def _wake_for_shutdown(self) -> None:
        # Pending long polls would otherwise hold uvicorn's graceful shutdown for their timeout.
        with self._lock:
            self._closing = True
        self._notify()

    # -- methods ----------------------------------------------------------------------------

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return self.bot_user

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = _int_param(params, "offset", default=0)
        limit = min(max(_int_param(params, "limit", default=100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(_int_param(params, "timeout", default=0), 0)
        with self._lock:
            self._check_no_webhook()
            self._poll_generation += 1
            generation = self._poll_generation
            if "allowed_updates" in params:  # otherwise the previous choice stays, as in Telegram
                self._allowed_updates = list(params["allowed_updates"])
            offset = self._confirm(offset)
        self._notify()
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                        "sure that only one bot instance is running")
                self._check_no_webhook()
                updates = [u for u in self._updates if u["update_id"] >= offset and self._wanted(u)]
                remaining = deadline - loop.time()
                if updates or self._closing or remaining <= 0:
                    return updates[:limit]
                wakeup = asyncio.Event()
                self._waiters.add(wakeup)
            try:
                await asyncio.wait_for(wakeup.wait(), remaining)
            except asyncio.TimeoutError:
                pass
            finally:
                with self._lock:
                    self._waiters.discard(wakeup)

    def _confirm(self, offset: int) -> int:
        """Forgets the updates `offset` confirms; returns the equivalent non-negative offset."""
        if offset < 0:  # -N: only the last N updates are kept
            kept = self._updates[offset:]
            offset = kept[0]["update_id"] if kept else self._next_update_id
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        return offset

    def _wanted(self, update: JSONDict) -> bool:
        kind = _update_type(update)
        return kind in self._allowed_updates if self._allowed_updates else kind not in OPT_IN_UPDATES

    def _check_no_webhook(self) -> None:
        if self._webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = params.get("url")
        if url is None:
            raise ApiError(400, "Bad Request: url is empty")
        if url and not str(url).startswith(("https://", "http://")):
            # Telegram insists on https; plain http is allowed so tests can use local servers.
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret_token = params.get("secret_token")
        if secret_token is not None and not SECRET_TOKEN_RE.fullmatch(str(secret_token)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._lock:
            if params.get("drop_pending_updates"):
                self._updates.clear()
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"])
            self._webhook = {"url": url, "secret_token": secret_token,
                             "max_connections": params.get("max_connections", 40)} if url else None
        self._notify()  # pending long polls now conflict
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        with self._lock:
            self._webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        with self._lock:
            info: JSONDict = {"url": "", "has_custom_certificate": False,
                              "pending_update_count": len(self._updates)}
            if self._webhook:
                info.update(url=self._webhook["url"], max_connections=self._webhook["max_connections"])
                if self._allowed_updates:
                    info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        text = params.get("text")
        if text is None or not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(str(text)) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        _check_reply_markup(params.get("reply_markup"))
        message: JSONDict = {"from": self.bot_user, "chat": chat, "date": _now(), "text": str(text)}
        if params.get("entities"):
            message["entities"] = params["entities"]
        if keyboard := _inline_keyboard(params.get("reply_markup")):
            message["reply_markup"] = keyboard
        with self._lock:
            message = {"message_id": next(self._message_ids), **message}
            self._messages[(chat["id"], message["message_id"])] = message
        return message

    async def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        text = params.get("text")
        if text is None or not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        return self._edit_message(params, {"text": str(text), "entities": params.get("entities")})

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        return self._edit_message(params, {})

    def _edit_message(self, params: JSONDict, content: JSONDict) -> JSONDict | bool:
        """Applies `content` (None values remove fields) and the new reply_markup, as Telegram
        drops the inline keyboard of a message edited without one."""
        _check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True  # messages sent via inline mode are not kept, and Telegram returns True
        key = (_int_param(params, "chat_id"), _int_param(params, "message_id"))
        with self._lock:
            old = self._messages.get(key)
            if old is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if old["from"]["id"] != self.bot_user["id"]:
                raise ApiError(400, "Bad Request: message can't be edited")
            unchanged = {k: v for k, v in old.items() if k != "edit_date"}
            new = {k: v for k, v in unchanged.items() if k != "reply_markup"}
            new.update(content)
            new = {k: v for k, v in new.items() if v is not None}
            if keyboard := _inline_keyboard(params.get("reply_markup")):
                new["reply_markup"] = keyboard
            if new == unchanged:
                raise ApiError(400, NOT_MODIFIED)
            new["edit_date"] = _now()
            self._messages[key] = new
        return new

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        with self._lock:
            query_id = str(params.get("callback_query_id"))
            if query_id not in self._open_callback_queries:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                                    "query ID is invalid")
            self._open_callback_queries.discard(query_id)
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: wrong parameter commands in request")
        for command in commands:
            if not COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        with self._lock:
            self._commands[self._commands_key(params)] = [
                {"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        with self._lock:
            return list(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        with self._lock:
            self._commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _chat(self, params: JSONDict) -> JSONDict:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            raise ApiError(400, "Bad Request: chat not found")  # the fake knows no public chats
        chat_id = _int_param(params, "chat_id")
        with self._lock:
            return self._chats.get(chat_id) or self._default_chat(chat_id)

    @staticmethod
    def _default_chat(chat_id: int) -> JSONDict:
        """The chat a bot may write to without the fake having seen it (Telegram would know it)."""
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Test"}
        # Supergroup and channel ids are -100 followed by the internal id.
        chat_type = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": chat_type, "title": "Test group"}
