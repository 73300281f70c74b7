"""The gateway as the widget sees it: a real WebSocket, a real database, Rasa up, down and back."""
import asyncio
import json
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot.settings import Settings
from bot.web.app import create_app
from tests.fake_rasa import FakeRasa
from tests.servers import LocalServer, free_port
from tests.widget_client import Widget, socket_url

WAIT = 10.0


@pytest.fixture
def gateway(database_url, rasa, always_open):
    fake, port = rasa
    settings = Settings(rasa_port=port, database_url=database_url, business_hours=always_open)
    with LocalServer(create_app(settings)) as server:
        yield socket_url(server), fake


def session() -> str:
    return uuid.uuid4().hex


async def test_a_message_is_acknowledged_answered_and_kept_in_the_history(gateway):
    url, rasa = gateway
    token = session()
    async with Widget(url, token, "sq") as widget:
        assert widget.history == []
        client_id = await widget.say("Si ta regjistroj një OJQ?")
        assert (await widget.next("ack"))["id"] == client_id
        answer = await widget.next("message")
        assert answer["from"] == "bot" and answer["text"] == "answer to: Si ta regjistroj një OJQ?"
        assert answer["buttons"] == [{"title": "More", "payload": "/article.more"}]
    assert rasa.received[0]["metadata"] == {"language": "sq", "channel": "widget"}
    async with Widget(url, token) as again:
        assert [(m["from"], m["text"], m["client_id"]) for m in again.history] == [
            ("user", "Si ta regjistroj një OJQ?", client_id), ("bot", "answer to: Si ta regjistroj një OJQ?", None)]


async def test_a_resent_message_is_answered_once(gateway):
    url, rasa = gateway
    async with Widget(url, session()) as widget:
        client_id = await widget.say("hello")
        await widget.next("ack")
        await widget.next("message")
        await widget.say("hello", client_id)  # the same message again, e.g. after a dropped connection
        assert (await widget.next("ack"))["id"] == client_id
        assert await widget.nothing_more()
    assert [b["message"] for b in rasa.received] == ["hello"]


async def test_a_button_sends_its_payload_to_rasa_and_shows_its_title(gateway):
    url, rasa = gateway
    async with Widget(url, session(), "en") as widget:
        await widget.say("I want a person", payload="/handoff.request")
        assert (await widget.next("message"))["text"] == "answer to: /handoff.request"
    assert rasa.received[-1]["message"] == "/handoff.request"


async def test_bad_input_gets_a_clear_error_and_the_socket_stays_usable(gateway):
    url, rasa = gateway
    async with Widget(url, session()) as widget:
        await widget.socket.send("not json {")
        assert (await widget.next("error"))["code"] == "bad_request"
        await widget.socket.send(b"\x00\xff binary")
        assert (await widget.next("error"))["code"] == "bad_request"
        await widget.socket.send(json.dumps({"type": "message", "id": "x1", "text": "a" * 2001}))
        assert (await widget.next("error")) == {"type": "error", "code": "too_long", "id": "x1"}
        await widget.socket.send(json.dumps({"type": "message", "id": "x2", "text": "hi", "payload": "no-slash"}))
        assert (await widget.next("error"))["code"] == "bad_request"
        await widget.say("<b>still</b> here\x00")
        assert (await widget.next("message"))["text"] == "answer to: <b>still</b> here"
        await widget.socket.send(json.dumps({"type": "hello", "session": "short"}))  # not a valid token
        assert (await widget.next("error"))["code"] == "bad_request"


async def test_an_empty_message_gets_a_notice_not_a_bot_turn(gateway):
    url, rasa = gateway
    async with Widget(url, session(), "en") as widget:
        await widget.say("   ")
        notice = await widget.next("message")
        assert notice["from"] == "system" and notice["text"]
    assert rasa.received == []


async def test_a_flood_is_refused_politely(gateway):
    url, _ = gateway
    async with Widget(url, session()) as widget:
        for n in range(20):
            await widget.say(f"message {n}")
        frames = [await widget.next("error") for _ in range(8)]
        assert {f["code"] for f in frames} == {"rate_limited"}


async def test_when_rasa_is_down_the_user_is_told_and_answered_once_it_is_back(database_url):
    fake, port = FakeRasa(), free_port()
    with LocalServer(create_app(Settings(rasa_port=port, database_url=database_url))) as server:
        async with Widget(socket_url(server), session(), "en") as widget:
            await widget.say("how do I register?")
            await widget.next("ack")
            notice = await widget.next("message")
            assert notice["from"] == "system" and "moment" in notice["text"].lower()
            with LocalServer(fake.app, port=port):
                answer = await widget.next("message", timeout=40)
                assert answer["text"] == "answer to: how do I register?"
                assert await widget.nothing_more(seconds=2)
    assert [b["message"] for b in fake.received] == ["how do I register?"]


async def test_silence_from_the_action_server_counts_as_down(gateway):
    url, rasa = gateway
    rasa.silent = True
    async with Widget(url, session(), "sq") as widget:
        await widget.say("tatimet?")
        assert (await widget.next("message"))["from"] == "system"
        rasa.silent = False
        assert (await widget.next("message", timeout=40))["text"] == "answer to: tatimet?"


async def test_pending_messages_survive_a_gateway_restart(database_url):
    fake, port = FakeRasa(), free_port()
    settings = Settings(rasa_port=port, database_url=database_url)
    token = session()
    with LocalServer(create_app(settings)) as server:  # Rasa is down: the message stays pending
        async with Widget(socket_url(server), token, "en") as widget:
            await widget.say("are you there?")
            await widget.next("ack")
    with LocalServer(fake.app, port=port), LocalServer(create_app(settings)) as server:
        for _ in range(100):
            if fake.received:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        async with Widget(socket_url(server), token) as widget:
            texts = [m["text"] for m in widget.history]
    assert [b["message"] for b in fake.received] == ["are you there?"]
    assert texts[0] == "are you there?" and texts[-1] == "answer to: are you there?"


async def test_a_handoff_opens_a_ticket_and_tells_the_user_their_place(gateway, database_url):
    url, rasa = gateway
    async with Widget(url, session(), "en") as widget:
        await widget.say("a person please", payload="/handoff.request")
        assert (await widget.next("message"))["from"] == "bot"
        queued = await widget.next("message")
        assert queued["from"] == "system" and "number 1 in the queue" in queued["text"]
        assert "minutes" in queued["text"] and queued["buttons"][0]["payload"] == "/cancel"
    engine = create_engine(database_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT reason, language, state FROM tickets")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("request", "en", "waiting")]


async def test_while_waiting_for_a_person_rasa_sees_nothing_until_the_user_cancels(gateway):
    url, rasa = gateway
    async with Widget(url, session(), "sq") as widget:
        await widget.say("dua një njeri", payload="/handoff.request")
        await widget.next("message")
        await widget.next("message")  # the place in the queue
        await widget.say("a jeni aty?")
        await widget.say("kam një pyetje për tatimet")
        assert await widget.nothing_more(seconds=1.5)  # the bot stays silent
        await widget.say("Anulo", payload="/cancel")
        back = await widget.next("message")
        assert back["from"] == "system" and "asistenti" in back["text"]
        await widget.say("si regjistrohet një OJQ?")
        assert (await widget.next("message"))["text"] == "answer to: si regjistrohet një OJQ?"
    assert [b["message"] for b in rasa.received] == ["/handoff.request", "si regjistrohet një OJQ?"]
    async with Widget(url, widget.session) as again:  # nothing the user wrote was lost
        texts = [m["text"] for m in again.history if m["from"] == "user"]
    assert texts == ["dua një njeri", "a jeni aty?", "kam një pyetje për tatimet", "Anulo", "si regjistrohet një OJQ?"]


async def test_outside_business_hours_the_user_is_told_when_staff_are_back(database_url, rasa, closed_hours):
    fake, port = rasa
    hours, back = closed_hours
    settings = Settings(rasa_port=port, database_url=database_url, business_hours=hours)
    with LocalServer(create_app(settings)) as server:
        async with Widget(socket_url(server), session(), "en") as widget:
            await widget.say("human", payload="/handoff.request")
            await widget.next("message")
            notice = await widget.next("message")
    assert "not at work" in notice["text"] and back.strftime("%d.%m.%Y") + " 09:00" in notice["text"]
