"""Past conversations in the staff console: a widget user asks about the statute; a staff member
finds that conversation by a word of it (narrowed by channel and dates), opens it and reads it."""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.conftest import add_staff
from tests.e2e.browser import ANSWER_WAIT, ask, messages

pytestmark = pytest.mark.e2e
PASSWORD = "fjalëkalimi i gjatë i Erit"
QUESTION = "Po hartojmë statutin e shoqatës së bletarëve. Çfarë duhet të përmbajë statuti?"
WORD = "BLETARËVE"  # in no other conversation; the search ignores case


@pytest.fixture(scope="module")
def staff_account(running_bot):
    add_staff(running_bot.database_url, "eri", password=PASSWORD)
    return "eri"


def test_staff_find_a_past_conversation_by_a_word_and_read_it(browser, running_bot, staff_account):
    user_context, staff_context = browser.new_context(), browser.new_context()
    try:
        user = user_context.new_page()
        user.goto(f"{running_bot.gateway_url}/?lang=sq")
        user.get_by_test_id("helpdesk-launcher").click()
        ask(user, QUESTION)
        answer = messages(user, "bot").filter(has_text="Burimi")
        expect(answer).to_have_count(1, timeout=ANSWER_WAIT)
        answer_start = answer.locator(".hd-text").inner_text().strip().splitlines()[0]

        staff = staff_context.new_page()
        staff.goto(f"{running_bot.gateway_url}/staff/login?lang=sq")
        staff.get_by_test_id("login-username").fill(staff_account)
        staff.get_by_test_id("login-password").fill(PASSWORD)
        staff.get_by_test_id("login-submit").click()
        expect(staff.get_by_test_id("connection-status")).to_have_attribute("data-state", "connected")

        staff.get_by_test_id("search-toggle").click()
        form = staff.get_by_test_id("search-form")
        expect(form).to_be_visible()
        expect(staff.get_by_test_id("search-words")).to_be_focused()
        staff.keyboard.type(WORD)
        staff.keyboard.press("Enter")  # the form works from the keyboard
        results, status = staff.get_by_test_id("search-result"), staff.get_by_test_id("search-status")
        expect(results).to_have_count(1)
        conversation_id = results.get_attribute("data-conversation-id")
        assert conversation_id and conversation_id.isdigit()
        expect(results).to_contain_text(f"Biseda #{conversation_id}")

        results.focus()
        staff.keyboard.press("Enter")
        transcript = staff.get_by_test_id("search-transcript")
        expect(transcript).to_have_attribute("data-conversation-id", conversation_id)
        shown = transcript.get_by_test_id("transcript-message")
        expect(shown.filter(has_text=QUESTION)).to_have_attribute("data-from", "user")
        expect(shown.filter(has_text=answer_start)).to_have_attribute("data-from", "bot")
        expect(staff.get_by_test_id("search-tickets")).to_contain_text("nuk ka pasur kërkesa")
        expect(results).to_have_attribute("aria-current", "true")

        def search(channel: str = "", since: str = "", until: str = "") -> None:
            form.get_by_test_id("search-channel").select_option(channel)
            form.get_by_test_id("search-from").fill(since)
            form.get_by_test_id("search-to").fill(until)
            form.get_by_test_id("search-submit").click()
            expect(status).not_to_have_text("Po kërkohet…")  # the answer has come

        search("telegram")
        expect(results).to_have_count(0)
        expect(status).to_have_text("Nuk u gjet asnjë bisedë.")
        today = datetime.now(timezone.utc).date()
        search("widget", str(today - timedelta(days=1)), str(today))
        expect(results).to_have_count(1)
        expect(results).to_have_attribute("data-conversation-id", conversation_id)
        search("widget", str(today + timedelta(days=1)))
        expect(results).to_have_count(0)

        staff.keyboard.press("Escape")  # back to the tickets
        expect(form).to_be_hidden()
        expect(staff.get_by_test_id("search-toggle")).to_have_attribute("aria-expanded", "false")
    finally:
        user_context.close()
        staff_context.close()
