"""The whole handoff in two browsers: a user in the widget asks for a person; a staff member
sees the ticket appear live in the console, claims it and replies; the user sees the reply;
the staff member hands back, the user rates the help, and the bot answers the next question."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import add_staff
from tests.e2e.browser import ANSWER_WAIT, ask, messages

pytestmark = pytest.mark.e2e
PASSWORD = "një fjalëkalim i gjatë"


@pytest.fixture(scope="module")
def staff_account(running_bot):
    add_staff(running_bot.database_url, "drita", password=PASSWORD)
    return "drita"


def test_a_person_takes_over_in_the_console_and_hands_back_to_the_bot(browser, running_bot, staff_account):
    staff_context, user_context = browser.new_context(), browser.new_context()
    dialogs = []
    try:
        staff = staff_context.new_page()
        staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        staff.goto(f"{running_bot.gateway_url}/staff?lang=sq")
        expect(staff).to_have_url(re.compile("/staff/login"))
        staff.get_by_test_id("login-username").fill(staff_account)
        staff.get_by_test_id("login-password").fill(PASSWORD)
        staff.get_by_test_id("login-submit").click()
        expect(staff.get_by_test_id("connection-status")).to_have_attribute("data-state", "connected")
        waiting = staff.get_by_test_id("queue-waiting").get_by_test_id("ticket-item")
        already = waiting.count()

        user = user_context.new_page()
        user.goto(f"{running_bot.gateway_url}/?lang=sq")
        user.get_by_test_id("helpdesk-launcher").click()
        ask(user, "dua me fol me nji njeri")
        expect(messages(user, "system")).to_have_count(1, timeout=ANSWER_WAIT)  # place in the queue / hours

        expect(waiting).to_have_count(already + 1, timeout=5_000)  # live, without reloading
        waiting.last.click()
        view = staff.get_by_test_id("ticket-view")
        expect(view.get_by_test_id("transcript-message").filter(has_text="dua me fol me nji njeri")).to_have_count(1)
        staff.get_by_test_id("action-claim").click()
        expect(messages(user, "system").filter(has_text="Drita")).to_have_count(1, timeout=ANSWER_WAIT)

        staff.get_by_test_id("reply-input").fill("Përshëndetje, jam Drita. Si mund t'ju ndihmoj?")
        staff.get_by_test_id("reply-send").click()
        expect(messages(user, "staff").filter(has_text="jam Drita")).to_have_count(1, timeout=5_000)

        attack = '<img src=x onerror="alert(1)">a e kam statutin gati?'
        ask(user, attack)
        shown = view.get_by_test_id("transcript-message").filter(has_text=attack)
        expect(shown).to_have_count(1, timeout=5_000)  # shown as text in the console
        assert staff.locator('[data-testid="transcript"] img').count() == 0

        staff.get_by_test_id("action-hand_back").click()
        back = messages(user, "system").filter(has_text="asistenti virtual")
        expect(back).to_have_count(1, timeout=ANSWER_WAIT)
        user.get_by_test_id("helpdesk-button").filter(has_text="5").click()  # the rating offered with it
        expect(messages(user, "system").filter(has_text="Faleminderit për vlerësimin")).to_have_count(
            1, timeout=ANSWER_WAIT)
        ask(user, "Si regjistrohet një OJQ?")
        expect(messages(user, "bot").filter(has_text="Burimi")).to_have_count(1, timeout=ANSWER_WAIT)
        assert dialogs == []
    finally:
        staff_context.close()
        user_context.close()
