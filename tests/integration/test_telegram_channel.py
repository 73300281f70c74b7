"""The gateway's Telegram channel as Telegram sees it: the real python-telegram-bot client inside
the gateway, talking to a fake Bot API (tests/fakes/telegram_bot_api.py) and a fake Rasa.

Every test starts its own help desk (fake Bot API, fake Rasa, gateway) and asserts the Bot API
calls the gateway makes. Updates are processed one at a time, in order, so a text sent after
something the bot must ignore, once answered, proves that the ignored thing is done with.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional

import httpx
import pytest
from sqlalchemy import create_engine, text as sql
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.channels.telegram import split_text
from bot.gateway.catalogue import text as catalogue_text
from bot.settings import Settings
from bot.web.app import create_app
from tests.fake_rasa import FakeRasa
from tests.fakes.telegram_bot_api import Call, FakeBotApi
from tests.integration.conftest import ALWAYS_OPEN
from tests.servers import LocalServer, free_port

WAIT = 10.0  # longest wait for any one thing the gateway should do
BOT = "kcsf_helpdesk_bot"
SECRET = "s3cret-Token_1"
CHAT = 4_201_001  # a private chat (its id is the user's id)
OTHER_CHAT = 4_201_002
GROUP = -1_001_234_567_890  # a supergroup
MEMBER = 4_201_003  # who writes in the group
LONG_REQUEST = "please explain everything"
LONG_ANSWER = "\n\n".join(f"Paragraph {n}: " + " ".join(f"fjalë{k}" for k in range(110)) for n in range(12))


class Rasa(FakeRasa):
    """FakeRasa, plus what these tests need: /language.to_xx switches the language (as the real
    bot's turn signal does) and one message gets an answer longer than a Telegram message."""

    async def _webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        message = body["message"]
        if message != LONG_REQUEST and not message.startswith("/language.to_"):
            return await super()._webhook(request)
        self.received.append(body)
        language = message[-2:] if message.startswith("/language.to_") else body["metadata"]["language"]
        answer = LONG_ANSWER if message == LONG_REQUEST else f"answer to: {message}"
        return JSONResponse([
            {"recipient_id": body["sender"], "text": answer,
             "buttons": [{"title": "More", "payload": "/article.more"}]},
            {"recipient_id": body["sender"], "custom": {"turn": {"language": language, "topic": "x"}}},
        ])

    @property
    def messages(self) -> List[str]:
        return [body["message"] for body in self.received]


@dataclass
class HelpDesk:
    fake: FakeBotApi
    rasa: Rasa
    url: str
    database_url: str

    def sent(self, chat_id: int) -> List[Call]:
        return [c for c in self.fake.calls_to("sendMessage") if c.params["chat_id"] == chat_id]

    async def answers(self, chat_id: int, count: int, timeout: float = WAIT) -> List[Call]:
        """Waits until the gateway has sent `count` messages to the chat; returns them all."""
        await until(lambda: len(self.sent(chat_id)) >= count, timeout,
                    lambda: f"{count} message(s) to chat {chat_id}; sent: {[c.params for c in self.sent(chat_id)]}")
        return self.sent(chat_id)

    async def exchange(self, chat_id: int, words: str, **kwargs: Any) -> Call:
        """A user writes `words`; returns the gateway's next message to the chat."""
        before = len(self.sent(chat_id))
        self.fake.send_text(chat_id, words, **kwargs)
        return (await self.answers(chat_id, before + 1))[before]

    def stored(self, chat_id: int) -> List[Dict[str, Any]]:
        """The chat's conversation as the gateway stored it, oldest first."""
        engine = create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                rows = connection.execute(sql(
                    "SELECT m.id, m.direction, m.author, m.text, m.payload, m.client_id, m.status "
                    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                    "WHERE c.channel = 'telegram' AND c.external_id = :chat ORDER BY m.id"),
                    {"chat": str(chat_id)}).mappings().all()
            return [dict(row) for row in rows]
        finally:
            engine.dispose()


async def until(condition: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what()}")
        await asyncio.sleep(0.01)


@contextlib.contextmanager
def help_desk(database_url: str, webhook: bool = False,
              before_start: Optional[Callable[[FakeBotApi], None]] = None) -> Iterator[HelpDesk]:
    rasa = Rasa()
    # The fake Bot API outlives the gateway: stopping, PTB confirms the updates it fetched.
    with FakeBotApi(bot_username=BOT) as fake, LocalServer(rasa.app) as rasa_server:
        if before_start:
            before_start(fake)
        # Probed once the other servers hold their ports: picked earlier, the kernel could hand it to one of them.
        gateway_port = free_port()
        settings = Settings(
            rasa_port=rasa_server.port, database_url=database_url, telegram_token=fake.token, telegram_api_url=fake.url,
            telegram_webhook_url=f"http://127.0.0.1:{gateway_port}/telegram/webhook" if webhook else None,
            telegram_webhook_secret=SECRET if webhook else None, business_hours=ALWAYS_OPEN)
        with LocalServer(create_app(settings), port=gateway_port) as gateway:
            yield HelpDesk(fake, rasa, gateway.url, database_url)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'helpdesk.db'}"  # the gateway migrates it at start


@pytest.fixture
def desk(sqlite_url) -> Iterator[HelpDesk]:
    """The help desk on SQLite, polling for updates."""
    with help_desk(sqlite_url) as started:
        yield started


@pytest.fixture
def any_db_desk(database_url) -> Iterator[HelpDesk]:
    """The help desk on SQLite and on PostgreSQL, polling for updates."""
    with help_desk(database_url) as started:
        yield started


def person(user_id: int, language_code: Optional[str] = "sq") -> Dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Test"}
    return {**user, "language_code": language_code} if language_code else user


def private_chat(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Test"}


GROUP_CHAT = {"id": GROUP, "type": "supergroup", "title": "Test group"}


def message(chat: Dict[str, Any], user: Dict[str, Any], message_id: int, words: str, **extra: Any) -> Dict[str, Any]:
    return {"message_id": message_id, "from": user, "chat": chat, "date": int(time.time()), "text": words, **extra}


def notice(language: str, key: str) -> str:
    return catalogue_text(language, key)


# -- a private conversation -----------------------------------------------------------------------------------

async def test_a_text_reaches_rasa_and_its_button_sends_the_payload(any_db_desk):
    desk = any_db_desk
    answer = await desk.exchange(CHAT, "Si ta regjistroj një OJQ?", language_code="sq")

    assert desk.rasa.received[0]["message"] == "Si ta regjistroj një OJQ?"
    assert desk.rasa.received[0]["metadata"] == {"language": "sq", "channel": "telegram"}
    assert answer.params["text"] == "answer to: Si ta regjistroj një OJQ?"
    assert "parse_mode" not in answer.params
    [[button]] = answer.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == "More"
    stored_answer = desk.stored(CHAT)[1]
    assert (stored_answer["author"], button["callback_data"]) == ("bot", f"{stored_answer['id']}:0")
    assert any(c.params == {"chat_id": CHAT, "action": "typing"} for c in desk.fake.calls_to("sendChatAction"))

    tap = desk.fake.press_button(CHAT, answer.response["result"]["message_id"], button["callback_data"])
    [answered] = await desk.fake.wait_for_call("answerCallbackQuery", timeout=WAIT)
    second = (await desk.answers(CHAT, 2))[1]
    assert second.params["text"] == "answer to: /article.more"
    assert desk.fake.calls.index(answered) < desk.fake.calls.index(second)  # the spinner stops first
    assert desk.rasa.messages == ["Si ta regjistroj një OJQ?", "/article.more"]
    assert [(m["direction"], m["author"], m["text"], m["payload"]) for m in desk.stored(CHAT)] == [
        ("in", "user", "Si ta regjistroj një OJQ?", None),
        ("out", "bot", "answer to: Si ta regjistroj një OJQ?", None),
        ("in", "user", "More", "/article.more"), ("out", "bot", "answer to: /article.more", None)]
    assert desk.stored(CHAT)[2]["client_id"] == f"u{tap}"


async def test_a_tap_on_a_query_too_old_to_answer_still_reaches_rasa(desk):
    # After downtime Telegram refuses to answer old callback queries; the tap must not be lost.
    answer = await desk.exchange(CHAT, "tatimet", language_code="sq")
    data = answer.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    desk.fake.add_update({"callback_query": {
        "id": "999", "from": person(CHAT), "chat_instance": "x", "data": data,
        "message": answer.response["result"]}})  # an id the fake never opened: "query is too old"
    assert (await desk.answers(CHAT, 2))[1].params["text"] == "answer to: /article.more"
    assert desk.rasa.messages == ["tatimet", "/article.more"]


async def test_start_greets_and_the_commands_are_registered_in_both_languages(desk):
    answer = await desk.exchange(CHAT, "/start", language_code="en")
    assert answer.params["text"] == "answer to: /chitchat.greet"
    assert desk.rasa.received[0]["metadata"] == {"language": "en", "channel": "telegram"}
    assert desk.stored(CHAT)[0]["text"] == "/start"
    registered = {c.params.get("language_code"): [cmd["command"] for cmd in c.params["commands"]]
                  for c in desk.fake.calls_to("setMyCommands")}
    assert registered == {"sq": ["start", "help", "lang", "human", "cancel"], "en": ["start", "help", "lang", "human", "cancel"]}
    assert desk.fake.calls_to("deleteWebhook") and desk.fake.webhook is None


async def test_help_is_answered_by_the_gateway_in_the_users_language(desk):
    assert (await desk.exchange(CHAT, "/help", language_code="sq")).params["text"] == notice("sq", "telegram.help")
    assert (await desk.exchange(OTHER_CHAT, "/help", language_code="en")).params["text"] == \
        notice("en", "telegram.help")
    await desk.exchange(CHAT, "faleminderit")
    assert desk.rasa.messages == ["faleminderit"]


async def test_lang_toggles_or_sets_the_language(desk):
    assert (await desk.exchange(CHAT, "/lang", language_code="sq")).params["text"] == "answer to: /language.to_en"
    assert (await desk.exchange(CHAT, "/lang", language_code="sq")).params["text"] == "answer to: /language.to_sq"
    assert (await desk.exchange(CHAT, "/lang en", language_code="sq")).params["text"] == "answer to: /language.to_en"
    assert (await desk.exchange(CHAT, "/lang sq", language_code="en")).params["text"] == "answer to: /language.to_sq"
    assert [(b["message"], b["metadata"]["language"]) for b in desk.rasa.received] == [
        ("/language.to_en", "sq"), ("/language.to_sq", "en"), ("/language.to_en", "sq"), ("/language.to_sq", "en")]
    # The conversation speaks the language it was switched to, whatever the user's Telegram is set to.
    assert (await desk.exchange(CHAT, "/lang", language_code="sq")).params["text"] == "answer to: /language.to_en"
    desk.fake.send_sticker(CHAT, language_code="sq")
    assert (await desk.answers(CHAT, 6))[5].params["text"] == notice("en", "telegram.not_text")


async def test_human_asks_for_a_person_and_cancel_goes_back_to_the_bot(desk, sqlite_url):
    assert (await desk.exchange(CHAT, "/human", language_code="en")).params["text"] == "answer to: /handoff.request"
    where = (await desk.answers(CHAT, 2))[1].params  # the place in the queue
    assert "number 1 in the queue" in where["text"]
    assert where["reply_markup"]["inline_keyboard"][0][0]["text"] == notice("en", "handoff.cancel_button")
    assert desk.rasa.messages == ["/handoff.request"]
    engine = create_engine(sqlite_url, future=True)
    with engine.connect() as connection:
        assert connection.execute(sql("SELECT reason, language, state FROM tickets")).all() == [
            ("request", "en", "waiting")]
    desk.fake.send_text(CHAT, "is anybody there?", language_code="en")  # held for staff: no answer
    back = await desk.exchange(CHAT, "/cancel", language_code="en")
    assert back.params["text"] == notice("en", "handoff.cancelled")
    with engine.connect() as connection:
        assert connection.execute(sql("SELECT state FROM tickets")).scalar_one() == "cancelled"
    engine.dispose()
    assert desk.rasa.messages == ["/handoff.request"]  # Rasa saw neither the waiting message nor /cancel


async def test_what_the_bot_cannot_read_gets_one_polite_text_and_never_reaches_rasa(desk):
    fake = desk.fake
    fake.send_photo(CHAT, language_code="sq")
    fake.send_photo(CHAT, "a caption", language_code="sq")
    fake.send_sticker(CHAT, language_code="sq")
    fake.send_voice(CHAT, language_code="sq")
    fake.send_document(CHAT, language_code="sq")
    now = int(time.time())
    fake.add_update({"edited_message": {**message(private_chat(CHAT), person(CHAT), 9001, "fixed typo"),
                                        "date": now - 60, "edit_date": now}})
    fake.add_update({"edited_message": {**message(private_chat(CHAT), person(CHAT), 9002, "/lang en"),
                                        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                                        "date": now - 60, "edit_date": now}})
    fake.send_voice(OTHER_CHAT, language_code="en")
    sent = await desk.answers(CHAT, 7)
    assert [c.params["text"] for c in sent] == [notice("sq", "telegram.not_text")] * 5 + \
        [notice("sq", "telegram.edited")] * 2
    assert all("reply_markup" not in c.params and "parse_mode" not in c.params for c in sent)
    assert [c.params["text"] for c in await desk.answers(OTHER_CHAT, 1)] == [notice("en", "telegram.not_text")]

    await desk.exchange(CHAT, "a real question")  # everything before it has been handled
    assert len(desk.sent(CHAT)) == 8 and len(desk.sent(OTHER_CHAT)) == 1
    assert desk.rasa.messages == ["a real question"]
    assert [(m["text"], m["status"]) for m in desk.stored(CHAT) if m["direction"] == "in"][:7] == [
        ("[photo]", "handled"), ("[photo] a caption", "handled"), ("[sticker]", "handled"), ("[voice]", "handled"),
        ("[document]", "handled"), ("[edited] fixed typo", "handled"), ("[edited] /lang en", "handled")]


async def test_a_long_answer_is_split_with_the_keyboard_on_its_last_part(desk):
    desk.fake.send_text(CHAT, LONG_REQUEST)
    expected = len(split_text(LONG_ANSWER))
    assert expected >= 2
    parts = await desk.answers(CHAT, expected)
    await desk.exchange(CHAT, "thanks")
    assert len(desk.sent(CHAT)) == expected + 1
    assert all(len(part.params["text"]) <= 4096 for part in parts)
    assert "".join("".join(part.params["text"] for part in parts).split()) == "".join(LONG_ANSWER.split())
    assert [("reply_markup" in part.params) for part in parts] == [False] * (expected - 1) + [True]


async def test_markup_is_sent_back_verbatim_as_plain_text(desk):
    answer = await desk.exchange(CHAT, "<b>*x*</b>_ [a](http://x) `y`")
    assert answer.params["text"] == "answer to: <b>*x*</b>_ [a](http://x) `y`"
    assert "parse_mode" not in answer.params and "entities" not in answer.params
    assert desk.rasa.messages == ["<b>*x*</b>_ [a](http://x) `y`"]


# -- groups ---------------------------------------------------------------------------------------------------

async def test_in_a_group_only_mentions_and_replies_to_the_bot_are_answered(desk):
    fake = desk.fake
    message_ids = itertools.count(8000)

    def say(words: str, **extra: Any) -> None:
        if extra:  # e.g. a reply, which the fake has no helper for
            fake.add_update({"message": message(GROUP_CHAT, person(MEMBER), next(message_ids), words, **extra)})
        else:
            fake.send_text(GROUP, words, chat_type="supergroup", user_id=MEMBER)

    say("kush di për tatimet?")
    say("/help")
    fake.send_photo(GROUP, chat_type="supergroup", user_id=MEMBER)
    say(f"@{BOT} si ta regjistroj një OJQ?")
    [first] = await desk.answers(GROUP, 1)
    assert first.params["text"] == "answer to: si ta regjistroj një OJQ?"
    assert desk.rasa.received[0]["metadata"] == {"language": "sq", "channel": "telegram"}

    say("edhe tarifat?", reply_to_message=first.response["result"])
    assert (await desk.answers(GROUP, 2))[1].params["text"] == "answer to: edhe tarifat?"

    say("jo ti", reply_to_message=message(GROUP_CHAT, person(MEMBER + 1), 7999, "pyetje"))
    say("@KCSF_Helpdesk_Bot tatimet?")  # usernames are case-insensitive
    assert (await desk.answers(GROUP, 3))[2].params["text"] == "answer to: tatimet?"
    assert desk.rasa.messages == ["si ta regjistroj një OJQ?", "edhe tarifat?", "tatimet?"]
    assert len(desk.sent(GROUP)) == 3


async def test_a_group_command_addressed_to_the_bot_works(desk):
    answer = await desk.exchange(GROUP, f"/start@{BOT}", chat_type="supergroup", user_id=MEMBER)
    assert answer.params["text"] == "answer to: /chitchat.greet"


# -- delivery -------------------------------------------------------------------------------------------------

async def test_a_rate_limit_is_waited_out_and_the_message_delivered_once(desk):
    desk.fake.rate_limit("sendMessage", times=1, retry_after=1)
    started = time.monotonic()
    answer = await desk.exchange(CHAT, "a question")
    assert time.monotonic() - started >= 1  # Telegram's retry_after was respected
    assert answer.params["text"] == "answer to: a question"
    assert [c.method for c in desk.fake.rejected] == ["sendMessage"]
    await desk.exchange(CHAT, "another")
    assert [c.params["text"] for c in desk.sent(CHAT)] == ["answer to: a question", "answer to: another"]


async def test_the_same_update_twice_is_answered_once(database_url):
    update = {"update_id": 500, "message": message(private_chat(CHAT), person(CHAT), 1, "a question")}

    def queue_twice(fake: FakeBotApi) -> None:  # both arrive in the gateway's first getUpdates
        fake.add_update(dict(update))
        fake.add_update(dict(update))
        assert len(fake.pending_updates) == 2

    with help_desk(database_url, before_start=queue_twice) as desk:
        await desk.answers(CHAT, 1)
        first_poll = desk.fake.calls_to("getUpdates")[0].response["result"]
        assert [u["update_id"] for u in first_poll] == [500, 500]  # the gateway did get it twice
        await desk.exchange(CHAT, "next")
        assert [c.params["text"] for c in desk.sent(CHAT)] == ["answer to: a question", "answer to: next"]
        assert desk.rasa.messages == ["a question", "next"]
        assert [m["client_id"] for m in desk.stored(CHAT) if m["direction"] == "in"][0] == "u500"


# -- webhook mode ---------------------------------------------------------------------------------------------

async def test_webhook_mode_takes_only_updates_with_the_secret(sqlite_url):
    with help_desk(sqlite_url, webhook=True) as desk:
        fake = desk.fake
        assert fake.webhook["url"] == f"{desk.url}/telegram/webhook"
        assert fake.webhook["secret_token"] == SECRET

        forged = fake.send_text(CHAT, "forged")
        assert await fake.deliver_webhook(forged, secret_token="wrong") == 403
        assert await fake.deliver_webhook(forged, secret_token=None) == 403

        real = fake.send_text(CHAT, "real")
        [queued] = [u for u in fake.pending_updates if u["update_id"] == real]
        assert await fake.deliver_webhook(real) == 200
        [answer] = await desk.answers(CHAT, 1)
        assert answer.params["text"] == "answer to: real"

        assert await fake.deliver_webhook(queued) == 200  # Telegram delivers it again
        assert await fake.deliver_webhook(fake.send_text(CHAT, "next")) == 200
        await desk.answers(CHAT, 2)
        assert [c.params["text"] for c in desk.sent(CHAT)] == ["answer to: real", "answer to: next"]
        assert desk.rasa.messages == ["real", "next"]
        assert fake.calls_to("getUpdates") == []


async def test_without_webhook_mode_the_webhook_route_is_not_there(desk):
    async with httpx.AsyncClient(timeout=WAIT, trust_env=False) as client:
        response = await client.post(f"{desk.url}/telegram/webhook", json={"update_id": 1},
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "anything"})
    assert response.status_code == 404
