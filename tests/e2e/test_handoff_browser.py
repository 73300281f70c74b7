"""The whole handoff in two browsers: a user in the widget asks for a person; a staff member
sees the ticket appear live in the console, claims it and replies; the user sees the reply;
the staff member hands back, the user rates the help, and the bot answers the next question."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import add_staff
from tests.e2e.browser import ANSWER_WAIT, ask, messages

pytestmark = pytest.mark.e2e
PASSWORD = "një fjalëkalim i gjatë"


@pytest.fixture(scope="module")
def staff_account(running_bot):
    add_staff(running_bot.database_url, "drita", password=PASSWORD)
    return "drita"


def log_in(staff: Page, gateway_url: str, username: str) -> None:
    staff.goto(f"{gateway_url}/staff?lang=sq")
    expect(staff).to_have_url(re.compile("/staff/login"))
    staff.get_by_test_id("login-username").fill(username)
    staff.get_by_test_id("login-password").fill(PASSWORD)
    staff.get_by_test_id("login-submit").click()
    expect(staff.get_by_test_id("connection-status")).to_have_attribute("data-state", "connected")


# Records what the page asks of the browser's notification and audio APIs, then lets the real ones act.
RECORD_ALERTS = """
window.__alerts = {notifications: [], tones: 0};
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) { super(title, options); window.__alerts.notifications.push({title, ...options}); }
};
const realStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__alerts.tones += 1; return realStart.apply(this, args); };
"""


def test_a_new_ticket_rings_and_shows_a_desktop_notification(browser, running_bot, staff_account):
    staff_context = browser.new_context(permissions=["notifications"])
    user_context = browser.new_context()
    try:
        staff = staff_context.new_page()
        staff.add_init_script(RECORD_ALERTS)
        log_in(staff, running_bot.gateway_url, staff_account)
        expect(staff.get_by_test_id("enable-notifications")).to_have_attribute("data-permission", "granted")
        staff.get_by_test_id("enable-notifications").click()  # the click that lets a page play sounds
        staff.wait_for_function("window.__alerts.tones >= 2")  # the button plays the chime once to try it
        user = user_context.new_page()
        user.goto(f"{running_bot.gateway_url}/?lang=en")
        user.get_by_test_id("helpdesk-launcher").click()
        ask(user, "I want to talk to a human")
        staff.wait_for_function("window.__alerts.notifications.length === 1", timeout=ANSWER_WAIT)
        alerts = staff.evaluate("window.__alerts")
        assert alerts["tones"] >= 4  # two more tones for the new ticket
        assert alerts["notifications"][0]["title"] == "Kërkesë e re"  # the console's language (sq)
        assert alerts["notifications"][0]["tag"].startswith("helpdesk-ticket-")
    finally:
        staff_context.close()
        user_context.close()


def test_a_person_takes_over_in_the_console_and_hands_back_to_the_bot(browser, running_bot, staff_account):
    staff_context, user_context = browser.new_context(), browser.new_context()
    dialogs = []
    try:
        staff = staff_context.new_page()
        staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(staff, running_bot.gateway_url, staff_account)
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
