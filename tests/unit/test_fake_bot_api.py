"""The fake Bot API speaks Telegram's HTTP protocol well enough for the real python-telegram-bot."""
import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.fakes.telegram_bot_api import FakeBotApi, LocalServer, UploadedFile

TOKEN = "123:ABC"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Shqip", callback_data="lang:sq"),
                                  InlineKeyboardButton("English", callback_data="lang:en")]])
KEYBOARD_JSON = {"inline_keyboard": [[{"text": "Shqip", "callback_data": "lang:sq"},
                                      {"text": "English", "callback_data": "lang:en"}]]}


def server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("local-server")]


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as fake:
        yield fake
    assert server_threads() == []


def make_bot(fake: FakeBotApi, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")


async def test_get_me_returns_the_configured_bot(fake):
    async with make_bot(fake) as bot:
        me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123, "kcsf_helpdesk_bot", True)
    assert fake.calls_to("getMe")


async def test_send_message_echoes_the_message_and_records_the_keyboard_as_a_dict(fake):
    async with make_bot(fake) as bot:
        first = await bot.send_message(42, "Zgjidhni gjuhën", reply_markup=KEYBOARD)
        second = await bot.send_message(42, "Faleminderit")
    assert second.message_id == first.message_id + 1
    assert (first.chat.id, first.chat.type, first.from_user.id) == (42, "private", 123)
    assert first.text == "Zgjidhni gjuhën" and first.reply_markup == KEYBOARD
    assert first.date.year >= 2025 and second.reply_markup is None
    assert fake.calls_to("sendMessage")[0].params == {
        "chat_id": 42, "text": "Zgjidhni gjuhën", "reply_markup": KEYBOARD_JSON}


async def test_button_press_arrives_with_its_message_and_is_answered_once(fake):
    async with make_bot(fake) as bot:
        sent = await bot.send_message(42, "Zgjidhni gjuhën", reply_markup=KEYBOARD)
        fake.press_button(42, sent.message_id, "lang:en", language_code="en")
        [update] = await bot.get_updates(timeout=0)
        query = update.callback_query
        assert await bot.answer_callback_query(query.id, text="OK")
        with pytest.raises(BadRequest, match="(?i)query id is invalid"):
            await bot.answer_callback_query(query.id)
    assert (query.data, query.from_user.id, query.from_user.language_code) == ("lang:en", 42, "en")
    assert query.message.message_id == sent.message_id and query.message.reply_markup == KEYBOARD
    assert fake.calls_to("answerCallbackQuery")[0].params == {"callback_query_id": query.id,
                                                              "text": "OK"}
    with pytest.raises(ValueError, match="no button"):
        fake.press_button(42, sent.message_id, "lang:de")


async def test_application_long_polling_receives_a_text_and_replies(fake):
    languages = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        languages.append(update.effective_user.language_code)
        await update.message.reply_text(f"Ju shkruat: {update.message.text}")

    application = (Application.builder().token(TOKEN).base_url(f"{fake.url}/bot")
                   .base_file_url(f"{fake.url}/file/bot").build())
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await application.initialize()
    try:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        fake.send_text(42, "Si ta regjistroj një OJQ?")
        [reply] = await fake.wait_for_call("sendMessage", timeout=4)
        await application.updater.stop()
        await application.stop()
    finally:
        await application.shutdown()
    assert reply.params == {"chat_id": 42, "text": "Ju shkruat: Si ta regjistroj një OJQ?"}
    assert languages == ["sq"]
    assert fake.calls_to("getUpdates")[0].params["timeout"] == 1
    assert fake.pending_updates == []  # the updater confirmed it by polling with a higher offset


async def test_get_updates_confirms_by_offset_filters_and_long_polls(fake):
    first, second = fake.send_text(42, "një"), fake.send_photo(42)
    async with make_bot(fake) as bot:
        assert [u.update_id for u in await bot.get_updates()] == [first, second]
        assert [u.update_id for u in await bot.get_updates(offset=second, limit=1)] == [second]
        assert [u["update_id"] for u in fake.pending_updates] == [second]
        assert await bot.get_updates(allowed_updates=["callback_query"]) == ()

        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(offset=second + 1, timeout=3, allowed_updates=[]))
        await asyncio.sleep(0.2)
        third = fake.send_voice(42)
        [update] = await poll
        assert update.update_id == third and update.message.voice.mime_type == "audio/ogg"
        assert time.monotonic() - started < 1.5

        started = time.monotonic()
        assert await bot.get_updates(offset=third + 1, timeout=1) == ()
        assert time.monotonic() - started >= 0.9


async def test_a_newer_get_updates_terminates_the_pending_one(fake):
    # Two instances, as PTB allows a single getUpdates connection per bot.
    async with make_bot(fake) as bot, make_bot(fake) as second_instance:
        older = asyncio.create_task(bot.get_updates(timeout=3))
        await asyncio.sleep(0.2)
        assert await second_instance.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older


async def test_fed_updates_parse_as_real_updates(fake):
    fake.send_text(-4001, "/ndihme@kcsf_helpdesk_bot pyetje", chat_type="group", user_id=55,
                   language_code="en")
    fake.send_photo(42, caption="fatura")
    fake.send_sticker(42)
    fake.send_document(42, language_code=None)
    fake.send_text(42, "gabim")
    typo = fake.pending_updates[-1]["message"]["message_id"]
    fake.edit_text(42, typo, "e saktë")
    async with make_bot(fake) as bot:
        group, photo, sticker, document, text, edited = await bot.get_updates()
    assert (group.effective_chat.type, group.effective_chat.id, group.effective_user.id) == (
        "group", -4001, 55)
    assert group.message.parse_entities() == {group.message.entities[0]: "/ndihme@kcsf_helpdesk_bot"}
    assert len(photo.message.photo) == 2 and photo.message.caption == "fatura"
    assert sticker.message.sticker.emoji == "👍"
    assert document.message.document.file_name == "dokument.pdf"
    assert document.effective_user.language_code is None
    assert text.message.text == "gabim" and edited.edited_message.text == "e saktë"
    assert edited.edited_message.message_id == typo and edited.edited_message.edit_date
    with pytest.raises(ValueError):
        fake.send_text(42, "grup?", chat_type="group")


async def test_rate_limit_surfaces_as_retry_after(fake):
    fake.rate_limit("sendMessage", times=1, retry_after=1)
    async with make_bot(fake) as bot:
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(42, "Shumë shpejt")
        await bot.send_message(42, "Tani po")
    assert raised.value.retry_after in (1, dt.timedelta(seconds=1))
    [rejected] = fake.rejected
    assert rejected.params["text"] == "Shumë shpejt"
    assert rejected.response == {"ok": False, "error_code": 429, "parameters": {"retry_after": 1},
                                 "description": "Too Many Requests: retry after 1"}
    assert [call.params["text"] for call in fake.calls_to("sendMessage")] == ["Tani po"]


async def test_wrong_token_is_invalid_token(fake):
    with pytest.raises(InvalidToken):
        async with make_bot(fake, token="999:WRONG"):
            pass
    assert fake.calls == []
    assert fake.rejected[0].response == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_webhook_blocks_get_updates_until_deleted(fake):
    async with make_bot(fake) as bot:
        assert await bot.set_webhook("http://127.0.0.1:8443/telegram", secret_token="s3cret")
        info = await bot.get_webhook_info()
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
    assert info.url == "http://127.0.0.1:8443/telegram"
    assert fake.calls_to("setWebhook")[0].params == {"url": "http://127.0.0.1:8443/telegram",
                                                     "secret_token": "s3cret"}
    assert fake.webhook is None


async def test_deliver_webhook_posts_the_update_with_the_secret_token(fake):
    received = []

    async def hook(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return Response(status_code=403)
        received.append(await request.json())
        return Response()

    async with LocalServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as receiver:
        async with make_bot(fake) as bot:
            await bot.set_webhook(f"{receiver.url}/hook", secret_token="s3cret")
        update_id = fake.send_text(42, "/start")
        assert await fake.deliver_webhook(update_id, secret_token="forged") == 403
        assert await fake.deliver_webhook(update_id, secret_token=None) == 403
        assert len(fake.pending_updates) == 1
        assert await fake.deliver_webhook(update_id) == 200
    assert fake.pending_updates == []
    [update] = received
    assert update["update_id"] == update_id
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


async def test_edits_replace_the_message_and_unchanged_edits_are_refused(fake):
    async with make_bot(fake) as bot:
        sent = await bot.send_message(42, "Zgjidhni gjuhën", reply_markup=KEYBOARD)
        edited = await bot.edit_message_text("Zgjodhët shqip", chat_id=42,
                                             message_id=sent.message_id, reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("Zgjodhët shqip", chat_id=42, message_id=sent.message_id,
                                        reply_markup=KEYBOARD)
        bare = await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=42, message_id=999)
    assert (edited.message_id, edited.text, edited.reply_markup) == (
        sent.message_id, "Zgjodhët shqip", KEYBOARD)
    assert edited.edit_date is not None
    assert bare.text == "Zgjodhët shqip" and bare.reply_markup is None


async def test_commands_and_chat_actions(fake):
    commands = (BotCommand("start", "Fillo"), BotCommand("ndihme", "Ndihmë"))
    async with make_bot(fake) as bot:
        assert await bot.set_my_commands(commands, language_code="sq")
        assert await bot.get_my_commands(language_code="sq") == commands
        assert await bot.get_my_commands() == ()
        with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Start", "Fillo")])
        assert await bot.delete_my_commands(language_code="sq")
        assert await bot.get_my_commands(language_code="sq") == ()
        assert await bot.send_chat_action(42, ChatAction.TYPING)
    assert fake.calls_to("sendChatAction")[0].params == {"chat_id": 42, "action": "typing"}


async def test_every_encoding_telegram_accepts_is_parsed(fake):
    base = f"{fake.url}/bot{TOKEN}"
    async with httpx.AsyncClient(trust_env=False) as client:
        me = await client.get(f"{base}/getMe")
        as_json = await client.post(f"{base}/sendMessage",
                                    json={"chat_id": 7, "text": "123", "reply_markup": KEYBOARD_JSON})
        await client.post(f"{base}/sendmessage",
                          data={"chat_id": "7", "text": "[1]", "reply_markup": json.dumps(KEYBOARD_JSON)})
        await client.post(f"{base}/sendMessage", data={"chat_id": "7", "text": "true"},
                          files={"document": ("a.txt", b"hello", "text/plain")})
        await client.get(f"{base}/sendChatAction", params={"chat_id": "7", "action": "typing"})
        unknown = await client.post(f"{base}/sendPhoto", json={"chat_id": 7})
        elsewhere = await client.get(f"{fake.url}/somewhere")
    assert me.json()["result"]["username"] == "kcsf_helpdesk_bot"
    assert as_json.json()["result"]["text"] == "123"
    assert [call.params for call in fake.calls_to("sendMessage")] == [
        {"chat_id": 7, "text": "123", "reply_markup": KEYBOARD_JSON},
        {"chat_id": 7, "text": "[1]", "reply_markup": KEYBOARD_JSON},
        {"chat_id": 7, "text": "true", "document": UploadedFile("a.txt", "text/plain", b"hello")},
    ]
    assert fake.calls_to("sendChatAction")[0].params == {"chat_id": 7, "action": "typing"}
    assert (unknown.status_code, unknown.json()) == (
        404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
    assert elsewhere.status_code == 404 and elsewhere.json()["ok"] is False


def test_sync_use_and_stopping_ends_pending_long_polls():
    fake = FakeBotApi(token=TOKEN).start()
    with httpx.Client(trust_env=False) as client:
        assert client.get(f"{fake.url}/bot{TOKEN}/getMe").json()["ok"]
        assert fake.wait_for_call_sync("getMe", timeout=1)[0].params == {}
        with pytest.raises(TimeoutError, match="sendMessage"):
            fake.wait_for_call_sync("sendMessage", timeout=0.05)
        result: dict = {}
        poll = threading.Thread(target=lambda: result.update(client.post(
            f"{fake.url}/bot{TOKEN}/getUpdates", json={"timeout": 30}).json()))
        poll.start()
        time.sleep(0.2)
        started = time.monotonic()
        fake.stop()
        poll.join(5)
    assert result == {"ok": True, "result": []}
    assert time.monotonic() - started < 2
    assert server_threads() == []


async def test_serves_from_the_test_event_loop_too():
    async with httpx.AsyncClient(trust_env=False) as client:
        async with FakeBotApi(token=TOKEN, bot_username="other_bot") as fake:
            async with make_bot(fake) as bot:
                assert (await bot.get_me()).username == "other_bot"
            poll = asyncio.create_task(
                client.post(f"{fake.url}/bot{TOKEN}/getUpdates", json={"timeout": 30}))
            await asyncio.sleep(0.2)
            started = time.monotonic()
        assert (await poll).json() == {"ok": True, "result": []}
        assert time.monotonic() - started < 2
