"""The staff console's server side with a real database, widget users and a fake Rasa:
login and its protections, the live queue, the claim race, replies, notes, hand back,
resolve and rating."""
import asyncio
import json
import uuid

import pytest
import websockets

from bot.settings import Settings
from bot.store.database import create_engine_for, session_factory
from bot.store.tickets import Tickets
from bot.web.app import create_app
from tests.conftest import add_staff
from tests.fakes.telegram_bot_api import FakeBotApi
from tests.servers import LocalServer
from tests.staff_client import PASSWORD, Staff
from tests.widget_client import Widget, socket_url


@pytest.fixture
def desk(database_url, rasa, always_open):
    fake, port = rasa
    add_staff(database_url, "ana", "besa", password=PASSWORD)
    with LocalServer(create_app(Settings(rasa_port=port, database_url=database_url,
                                         business_hours=always_open))) as server:
        yield server, fake


async def claimed(user: Widget, staff: Staff, asking: str = "a person") -> int:
    """The user asks for a person and `staff` claims the ticket; returns its id."""
    await user.say(asking, payload="/handoff.request")
    await user.next("message")  # the bot's handoff line
    await user.next("message")  # the place in the queue
    ticket_id = (await staff.client.get("/staff/api/state")).json()["waiting"][0]["id"]
    await staff.post(f"/staff/api/tickets/{ticket_id}/claim")
    return ticket_id


async def test_login_refuses_wrong_passwords_then_limits_attempts(desk):
    server, _ = desk
    staff = Staff(server.url)
    assert (await staff.client.get("/staff")).headers["location"] == "/staff/login"
    assert (await staff.client.get("/staff/api/state")).status_code == 401
    for _ in range(5):
        assert (await staff.log_in("ana", "wrong password!")).status_code == 401
    assert (await staff.log_in("ana")).status_code == 429  # even the right password, for a while
    other = Staff(server.url)
    assert (await other.log_in("besa")).status_code == 303
    assert (await other.client.get("/staff/api/state")).json()["me"]["username"] == "besa"
    other.csrf = "forged"
    assert (await other.post("/staff/api/tickets/1/claim")).status_code == 403
    await staff.close()
    await other.close()


async def test_a_handoff_reaches_the_console_live_and_staff_answer_hand_back_and_resolve(desk, database_url):
    server, rasa = desk
    ana, besa = Staff(server.url), Staff(server.url)
    await ana.log_in("ana")
    await besa.log_in("besa")
    cookies = "; ".join(f"{k}={v}" for k, v in ana.client.cookies.items())
    hub = await websockets.connect(server.url.replace("http", "ws") + "/staff/ws", extra_headers={"Cookie": cookies})
    async with Widget(socket_url(server), uuid.uuid4().hex, "en") as user:
        await user.say("a person please", payload="/handoff.request")
        await user.next("message")
        await user.next("message")  # place in the queue
        event = json.loads(await asyncio.wait_for(hub.recv(), 1.0))  # within a second
        assert event["type"] == "new_ticket"
        ticket_id = event["ticket_id"]
        board = (await ana.client.get("/staff/api/state")).json()
        assert [t["id"] for t in board["waiting"]] == [ticket_id] and board["waiting"][0]["channel"] == "widget"

        claims = await asyncio.gather(ana.post(f"/staff/api/tickets/{ticket_id}/claim"),
                                      besa.post(f"/staff/api/tickets/{ticket_id}/claim"))
        assert sorted(r.status_code for r in claims) == [200, 409]
        winner = ana if claims[0].status_code == 200 else besa
        name = "Ana" if winner is ana else "Besa"
        assert (await user.next("message"))["text"].startswith(name)

        assert (await winner.post(f"/staff/api/tickets/{ticket_id}/messages",
                                  {"text": "Hello, how can I help?"})).status_code == 200
        staff_message = await user.next("message")
        assert (staff_message["from"], staff_message["text"]) == ("staff", "Hello, how can I help?")
        loser = besa if winner is ana else ana
        assert (await loser.post(f"/staff/api/tickets/{ticket_id}/messages", {"text": "me too"})).status_code == 409

        await user.say("<script>alert('x')</script> my statute question")
        while True:
            event = json.loads(await asyncio.wait_for(hub.recv(), 2.0))
            if event["type"] == "message":
                break
        assert event["message"]["text"] == "<script>alert('x')</script> my statute question"
        assert (await winner.post(f"/staff/api/tickets/{ticket_id}/messages",
                                  {"text": "checked the statute", "internal": True})).json()["note"]["text"]

        assert (await winner.post(f"/staff/api/tickets/{ticket_id}/hand_back")).status_code == 200
        assert "virtual assistant" in (await user.next("message"))["text"]
        await user.say("how do I register?")
        assert (await user.next("message"))["text"] == "answer to: how do I register?"

        detail = (await winner.client.get(f"/staff/api/tickets/{ticket_id}")).json()
        assert [h["event"] for h in detail["history"]] == ["open", "claim", "hand_back"]
        assert [n["text"] for n in detail["notes"]] == ["checked the statute"]
        assert detail["allowed"] == []
    async with Widget(socket_url(server), user.session) as again:  # the user never sees the note
        assert all("checked the statute" not in m["text"] for m in again.history)
    # Rasa saw the handoff request and the question after the hand back, nothing in between
    assert [b["message"] for b in rasa.received] == ["/handoff.request", "how do I register?"]
    await hub.close()
    await ana.close()
    await besa.close()


async def test_resolving_asks_the_user_to_rate_with_an_optional_comment(desk, database_url):
    server, rasa = desk
    ana = Staff(server.url)
    await ana.log_in("ana")
    async with Widget(socket_url(server), uuid.uuid4().hex, "sq") as user:
        ticket_id = await claimed(user, ana, "dua një njeri")
        await user.next("message")
        assert (await ana.post(f"/staff/api/tickets/{ticket_id}/resolve")).status_code == 200
        ask = await user.next("message")
        assert [b["payload"] for b in ask["buttons"]] == [f"/rate_{n}" for n in range(1, 6)]
        await user.say(ask["buttons"][4]["title"], payload="/rate_5")
        thanks = await user.next("message")
        assert "Faleminderit" in thanks["text"] and thanks["buttons"][0]["payload"] == "/comment"
        await user.say("again", payload="/rate_1")  # a second rating is ignored
        assert await user.nothing_more(seconds=1)
        await user.say(thanks["buttons"][0]["title"], payload="/comment")
        await user.next("message")  # "write your comment"
        await user.say("Shumë të shpejtë, faleminderit!")
        assert "komenti" in (await user.next("message"))["text"]
        await user.say("si regjistrohet një OJQ?")  # and then the bot again
        assert (await user.next("message"))["text"] == "answer to: si regjistrohet një OJQ?"
    assert (await ana.post(f"/staff/api/tickets/{ticket_id}/claim")).status_code == 409  # resolved is final
    engine = create_engine_for(database_url)
    assert Tickets(session_factory(engine)).rating(ticket_id) == {"score": 5, "comment": "Shumë të shpejtë, faleminderit!"}
    engine.dispose()
    await ana.close()


async def test_the_same_path_over_telegram(database_url, rasa, always_open):
    fake_rasa, port = rasa
    add_staff(database_url, "ana", password=PASSWORD)
    chat = 4242

    async def sent(count, to=chat):  # the texts sent to a chat, once there are `count` of them
        for _ in range(300):
            texts = [c.params["text"] for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == to]
            if len(texts) >= count:
                return texts
            await asyncio.sleep(0.05)
        raise TimeoutError(f"{count} messages to chat {to}; got {texts}")

    staff_group = -100777
    with FakeBotApi() as telegram, LocalServer(create_app(Settings(
            rasa_port=port, database_url=database_url, business_hours=always_open, telegram_token=telegram.token,
            telegram_api_url=telegram.url, telegram_staff_chat=staff_group))) as server:
        ana = Staff(server.url)
        await ana.log_in("ana")
        telegram.send_text(chat, "/human", language_code="en")
        texts = await sent(2)
        assert texts[0] == "answer to: /handoff.request" and "number 1 in the queue" in texts[1]
        ticket = (await ana.client.get("/staff/api/state")).json()["waiting"][0]
        assert ticket["channel"] == "telegram" and ticket["language"] == "en"
        [told] = await sent(1, to=staff_group)
        assert f"#{ticket['id']}" in told and "/staff#ticket-" in told
        assert (await ana.post(f"/staff/api/tickets/{ticket['id']}/claim")).status_code == 200
        assert (await sent(3))[2].startswith("Ana")
        await ana.post(f"/staff/api/tickets/{ticket['id']}/messages", {"text": "Hi, Ana here."})
        assert (await sent(4))[3] == "Hi, Ana here."
        telegram.send_text(chat, "thanks, one more thing", language_code="en")
        await asyncio.sleep(1)
        detail = (await ana.client.get(f"/staff/api/tickets/{ticket['id']}")).json()
        assert detail["transcript"][-1]["text"] == "thanks, one more thing"
        await ana.post(f"/staff/api/tickets/{ticket['id']}/hand_back")
        assert "virtual assistant" in (await sent(5))[4]
        telegram.send_text(chat, "how do I register?", language_code="en")
        assert (await sent(6))[5] == "answer to: how do I register?"
        await ana.close()
    assert [b["message"] for b in fake_rasa.received] == ["/handoff.request", "how do I register?"]


async def test_past_conversations_are_searchable_by_staff_only(desk):
    server, _ = desk
    async with Widget(socket_url(server), uuid.uuid4().hex, "sq") as user:
        await user.say("Pyetje për statutin e shoqatës")
        await user.next("message")
    ana = Staff(server.url)
    assert (await ana.client.get("/staff/api/search", params={"q": "statutin"})).status_code == 401
    await ana.log_in("ana")
    found = (await ana.client.get("/staff/api/search", params={"q": "STATUTIN", "channel": "widget",
                                                               "from": "2020-01-01"})).json()["results"]
    assert len(found) == 1 and found[0]["channel"] == "widget"
    assert (await ana.client.get("/staff/api/search", params={"q": "statutin", "channel": "telegram"})
            ).json()["results"] == []
    assert (await ana.client.get("/staff/api/search", params={"from": "yesterday"})).status_code == 400
    detail = (await ana.client.get(f"/staff/api/conversations/{found[0]['conversation_id']}")).json()
    assert [m["from"] for m in detail["transcript"]] == ["user", "bot"] and detail["tickets"] == []
    await ana.close()


async def test_waiting_users_are_told_when_their_wait_changes_noticeably(desk):
    server, _ = desk
    ana = Staff(server.url)
    await ana.log_in("ana")
    users = [await Widget(socket_url(server), uuid.uuid4().hex, "en").__aenter__() for _ in range(3)]
    try:
        for user in users:
            await user.say("a person", payload="/handoff.request")
            await user.next("message")
        places = [(await user.next("message"))["text"] for user in users]
        assert ["number 1 " in places[0], "number 2 " in places[1], "number 3 " in places[2]] == [True] * 3
        first = (await ana.client.get("/staff/api/state")).json()["waiting"][0]["id"]
        await ana.post(f"/staff/api/tickets/{first}/claim")
        moved = await users[2].next("message")
        assert moved["from"] == "system" and "now number 2" in moved["text"]
        assert "now number 1" in (await users[1].next("message"))["text"]
    finally:
        for user in users:
            await user.__aexit__()
        await ana.close()


async def test_handoffs_asked_at_once_are_told_different_places(desk):
    server, _ = desk
    users = [await Widget(socket_url(server), uuid.uuid4().hex, "en").__aenter__() for _ in range(12)]
    try:
        await asyncio.gather(*(user.say("a person", payload="/handoff.request") for user in users))
        for user in users:
            await user.next("message")  # the bot's handoff line
        places = [(await user.next("message"))["text"].split("number ")[1].split(" ")[0] for user in users]
        assert sorted(map(int, places)) == list(range(1, 13))
    finally:
        for user in users:
            await user.__aexit__()


async def test_the_expected_wait_counts_the_staff_with_a_console_open(desk):
    server, _ = desk
    consoles = []
    for username in ("ana", "besa"):  # two people on duty: the first two in the queue wait one round
        staff = Staff(server.url)
        await staff.log_in(username)
        cookies = "; ".join(f"{k}={v}" for k, v in staff.client.cookies.items())
        consoles.append((staff, await websockets.connect(server.url.replace("http", "ws") + "/staff/ws",
                                                         extra_headers={"Cookie": cookies})))
    users = [await Widget(socket_url(server), uuid.uuid4().hex, "en").__aenter__() for _ in range(3)]
    try:
        for user in users:
            await user.say("a person", payload="/handoff.request")
            await user.next("message")
        waits = [(await user.next("message"))["text"].split("Expected wait: ")[1].split(".")[0] for user in users]
        assert waits == ["about 5 minutes", "about 5 minutes", "about 10 minutes"]
    finally:
        for user in users:
            await user.__aexit__()
        for staff, socket in consoles:
            await socket.close()
            await staff.close()


async def test_outside_hours_the_question_is_kept_and_answered_on_the_next_visit(database_url, rasa, closed_hours):
    fake_rasa, port = rasa
    add_staff(database_url, "ana", password=PASSWORD)
    with LocalServer(create_app(Settings(rasa_port=port, database_url=database_url,
                                         business_hours=closed_hours[0]))) as server:
        token = uuid.uuid4().hex
        async with Widget(socket_url(server), token, "en") as user:
            await user.say("a person", payload="/handoff.request")
            await user.next("message")
            assert "not at work" in (await user.next("message"))["text"]
            await user.say("Can you check our annual report before Friday?")
            await user.next("ack")
        ana = Staff(server.url)
        await ana.log_in("ana")
        board = (await ana.client.get("/staff/api/state")).json()
        assert board["waiting"] == [] and len(board["offline"]) == 1  # listed apart
        ticket = board["offline"][0]["id"]
        assert board["offline"][0]["preview"] == "Can you check our annual report before Friday?"
        await ana.post(f"/staff/api/tickets/{ticket}/claim")
        await ana.post(f"/staff/api/tickets/{ticket}/messages", {"text": "Yes, send it to us."})
        await ana.post(f"/staff/api/tickets/{ticket}/resolve")
        async with Widget(socket_url(server), token) as back:  # the next visit
            assert "Yes, send it to us." in [m["text"] for m in back.history if m["from"] == "staff"]
        await ana.close()
    assert [b["message"] for b in fake_rasa.received] == ["/handoff.request"]


async def test_a_gateway_restart_loses_no_ticket_message_or_assignment(database_url, rasa, always_open):
    fake_rasa, port = rasa
    add_staff(database_url, "ana", password=PASSWORD)
    settings = Settings(rasa_port=port, database_url=database_url, business_hours=always_open)
    token = uuid.uuid4().hex
    with LocalServer(create_app(settings)) as server:
        ana = Staff(server.url)
        await ana.log_in("ana")
        async with Widget(socket_url(server), token, "en") as user:
            ticket = await claimed(user, ana)
            await user.say("my question before the restart")
            await user.next("ack")
        await ana.close()
    with LocalServer(create_app(settings)) as server:  # a new process, the same database
        ana = Staff(server.url)
        await ana.log_in("ana")  # the same account; the session secret survives in var/data
        board = (await ana.client.get("/staff/api/state")).json()
        assert [t["id"] for t in board["mine"]] == [ticket]
        detail = (await ana.client.get(f"/staff/api/tickets/{ticket}")).json()
        assert detail["transcript"][-1]["text"] == "my question before the restart"
        async with Widget(socket_url(server), token) as user:
            await ana.post(f"/staff/api/tickets/{ticket}/messages", {"text": "Still here."})
            assert (await user.next("message"))["text"] == "Still here."
        await ana.close()
    assert [b["message"] for b in fake_rasa.received] == ["/handoff.request"]


async def test_a_comment_asked_for_before_a_restart_is_still_taken_as_the_comment(database_url, rasa, always_open):
    fake_rasa, port = rasa
    add_staff(database_url, "ana", password=PASSWORD)
    settings = Settings(rasa_port=port, database_url=database_url, business_hours=always_open)
    token = uuid.uuid4().hex
    with LocalServer(create_app(settings)) as server:
        ana = Staff(server.url)
        await ana.log_in("ana")
        async with Widget(socket_url(server), token, "en") as user:
            ticket = await claimed(user, ana)
            await ana.post(f"/staff/api/tickets/{ticket}/resolve")
            await user.say("5", payload="/rate_5")
            await user.say("Add a comment", payload="/comment")
            while "Write your comment" not in (await user.next("message"))["text"]:
                pass  # claimed, resolved (rate us), thanks for the rating
        await ana.close()
    with LocalServer(create_app(settings)) as server:  # a new process, the same database
        async with Widget(socket_url(server), token) as user:
            await user.say("Quick and kind, thank you")
            assert "comment is saved" in (await user.next("message"))["text"]
    engine = create_engine_for(database_url)
    assert Tickets(session_factory(engine)).rating(ticket) == {"score": 5, "comment": "Quick and kind, thank you"}
    engine.dispose()
    assert [b["message"] for b in fake_rasa.received] == ["/handoff.request"]  # the comment never reached Rasa
