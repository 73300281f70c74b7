"""Outside business hours a user may leave an email address with their question; staff answers
then reach it too, through a real SMTP server. Without mail configured nothing is taken or sent."""
import uuid
from typing import Optional

import pytest

from bot.settings import Settings
from bot.web.app import create_app
from tests.conftest import add_staff
from tests.fakes.smtp_server import smtp_server
from tests.servers import LocalServer, free_port
from tests.staff_client import PASSWORD, Staff
from tests.widget_client import Widget, socket_url


def mail_settings(port: int, database_url: str, hours, rasa_port: int) -> Settings:
    return Settings(rasa_port=rasa_port, database_url=database_url, business_hours=hours, smtp_host="127.0.0.1",
                    smtp_port=port, smtp_security="none", mail_from="Help desk <helpdesk@example.org>")


async def leave_question_after_hours(server: LocalServer, words: list, language: str = "sq") -> Widget:
    """A widget user asks for a person outside hours and writes `words`; returns the still open widget."""
    user = await Widget(socket_url(server), uuid.uuid4().hex, language).__aenter__()
    await user.say("nje njeri", payload="/handoff.request")
    await user.next("message")  # the bot's handoff line (fake Rasa)
    user.closed_notice = (await user.next("message"))["text"]
    for said in words:
        await user.say(said)
        await user.next("ack")
    return user


async def offline_ticket(staff: Staff) -> int:
    board = (await staff.client.get("/staff/api/state")).json()
    assert len(board["offline"]) == 1
    return board["offline"][0]["id"]


async def email_on_the_offline_ticket(server: LocalServer) -> Optional[str]:
    """The address staff see on the (only) offline ticket."""
    ana = Staff(server.url)
    await ana.log_in("ana")
    email = (await ana.client.get(f"/staff/api/tickets/{await offline_ticket(ana)}")).json()["ticket"]["email"]
    await ana.close()
    return email


async def test_an_address_left_after_hours_gets_the_staff_answer_by_mail(database_url, rasa, closed_hours):
    add_staff(database_url, "ana", password=PASSWORD)
    with smtp_server() as inbox, LocalServer(create_app(mail_settings(inbox.port, database_url, closed_hours[0],
                                                                      rasa[1]))) as server:
        user = await leave_question_after_hours(server, ["A duhet raport vjetor edhe pa aktivitet?"])
        assert "email" in user.closed_notice  # offered, in Albanian
        await user.say("emaili im: <Drita.Krasniqi@Example.org>, faleminderit")
        assert (await user.next("message"))["text"] == (
            "Faleminderit: përgjigjen do t'jua dërgojmë edhe në Drita.Krasniqi@example.org.")
        await user.say("Drita.Krasniqi@example.org")  # the same address again: nothing more to say
        assert await user.nothing_more(seconds=0.5)

        ana = Staff(server.url)
        await ana.log_in("ana")
        ticket = await offline_ticket(ana)
        assert (await ana.client.get(f"/staff/api/tickets/{ticket}")).json()["ticket"]["email"] == \
            "Drita.Krasniqi@example.org"
        await ana.post(f"/staff/api/tickets/{ticket}/claim")
        await ana.post(f"/staff/api/tickets/{ticket}/messages", {"text": "Po, raporti vjetor dorëzohet edhe pa aktivitet."})

        recipients, mail = await inbox.next_mail()
        assert recipients == ["Drita.Krasniqi@example.org"]
        assert mail["From"] == "Help desk <helpdesk@example.org>"
        assert mail["Subject"] == f"Pyetja juaj drejtuar help desk-ut (#{ticket})"
        body = mail.get_content()
        assert "Ana nga ekipi" in body and "Po, raporti vjetor dorëzohet edhe pa aktivitet." in body
        # ... and on the widget, as always
        assert (await user.next("message"))["text"].startswith("Ana ")  # claimed
        assert (await user.next("message"))["text"] == "Po, raporti vjetor dorëzohet edhe pa aktivitet."
        await user.__aexit__()
        await ana.close()


async def test_when_the_mail_server_is_down_staff_see_a_note_and_the_chat_still_gets_the_answer(
        database_url, rasa, closed_hours):
    add_staff(database_url, "ana", password=PASSWORD)
    nobody_listens = free_port()
    with LocalServer(create_app(mail_settings(nobody_listens, database_url, closed_hours[0], rasa[1]))) as server:
        user = await leave_question_after_hours(server, ["Need help with PADOR", "me@example.org"], "en")
        ana = Staff(server.url)
        await ana.log_in("ana")
        ticket = await offline_ticket(ana)
        await ana.post(f"/staff/api/tickets/{ticket}/claim")
        await ana.post(f"/staff/api/tickets/{ticket}/messages", {"text": "Here is how PADOR works."})
        assert (await user.next("message"))["text"] == "Thank you: we will also send our answer to me@example.org."
        messages = [(await user.next("message"))["text"] for _ in range(2)]  # claimed, then the answer
        assert messages[1] == "Here is how PADOR works."
        for _ in range(100):
            notes = (await ana.client.get(f"/staff/api/tickets/{ticket}")).json()["notes"]
            if notes:
                break
            await user.nothing_more(seconds=0.1)
        assert notes[0]["author"] == "system" and "me@example.org could not be sent" in notes[0]["text"]
        await user.__aexit__()
        await ana.close()


@pytest.mark.parametrize("written", ["name@example", "write to me at ana@", "a@b@c.org", "<script>@x.org"])
async def test_only_valid_addresses_are_taken(database_url, rasa, closed_hours, written):
    add_staff(database_url, "ana", password=PASSWORD)
    with LocalServer(create_app(mail_settings(free_port(), database_url, closed_hours[0], rasa[1]))) as server:
        user = await leave_question_after_hours(server, [written], "en")
        assert await user.nothing_more(seconds=0.5)
        assert await email_on_the_offline_ticket(server) is None
        await user.__aexit__()


async def test_without_mail_configured_no_address_is_asked_for_or_taken(database_url, rasa, closed_hours):
    add_staff(database_url, "ana", password=PASSWORD)
    with LocalServer(create_app(Settings(rasa_port=rasa[1], database_url=database_url,
                                         business_hours=closed_hours[0]))) as server:
        user = await leave_question_after_hours(server, ["my address is me@example.org"], "en")
        assert "email" not in user.closed_notice
        assert await user.nothing_more(seconds=0.5)
        assert await email_on_the_offline_ticket(server) is None
        await user.__aexit__()
