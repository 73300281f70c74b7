"""The website widget in a real browser (Debian's Chromium driven by Playwright) against the
whole help desk: gateway, Rasa and action server, as `make run` starts them."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ANSWER_WAIT, ask, messages

pytestmark = pytest.mark.e2e
def test_an_albanian_question_gets_an_albanian_answer_with_its_source_and_buttons(page):
    page.get_by_test_id("helpdesk-launcher").click()
    ask(page, "Si ta regjistroj një OJQ në Kosovë?")
    expect(messages(page, "bot").first).to_be_visible(timeout=ANSWER_WAIT)
    expect(messages(page, "bot").filter(has_text="Burimi")).to_have_count(1, timeout=ANSWER_WAIT)
    expect(page.get_by_test_id("helpdesk-button").first).to_be_visible()
    links = page.locator('#helpdesk-widget a[href^="http"]')
    assert links.count() >= 1 and links.first.get_attribute("rel") == "noopener noreferrer"


def test_the_conversation_survives_a_reload(page):
    page.get_by_test_id("helpdesk-launcher").click()
    ask(page, "Si aplikojmë për statusin e përfitimit publik?")
    expect(messages(page, "bot").filter(has_text="Burimi")).to_have_count(1, timeout=ANSWER_WAIT)
    before = page.locator('[data-testid="helpdesk-message"]').all_inner_texts()
    page.reload()
    page.get_by_test_id("helpdesk-launcher").click()
    expect(page.locator('[data-testid="helpdesk-message"]')).to_have_count(len(before), timeout=ANSWER_WAIT)
    assert page.locator('[data-testid="helpdesk-message"]').all_inner_texts() == before


def test_a_message_sent_offline_is_delivered_once_when_back_online(page, context):
    page.get_by_test_id("helpdesk-launcher").click()
    ask(page, "Përshëndetje")
    expect(messages(page, "bot")).to_have_count(1, timeout=ANSWER_WAIT)
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    question = "Sa kohë zgjat regjistrimi i një OJQ-je?"
    ask(page, question)
    expect(page.get_by_test_id("helpdesk-offline")).to_be_visible()
    expect(messages(page, "user").filter(has_text=question)).to_have_attribute("data-state", "sending")
    page.wait_for_timeout(1500)  # offline for a while: nothing may reach the help desk meanwhile
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(messages(page, "bot").filter(has_text="Burimi")).to_have_count(1, timeout=ANSWER_WAIT)
    expect(page.get_by_test_id("helpdesk-offline")).to_be_hidden()
    page.wait_for_timeout(2000)  # a duplicate answer would arrive within this time
    page.reload()
    page.get_by_test_id("helpdesk-launcher").click()
    expect(messages(page, "user").filter(has_text=question)).to_have_count(1, timeout=ANSWER_WAIT)
    expect(messages(page, "bot").filter(has_text="Burimi")).to_have_count(1)


def test_the_widget_works_by_keyboard_alone(page):
    launcher = page.get_by_test_id("helpdesk-launcher")
    for _ in range(20):  # Tab from the top of the page until the launcher has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "helpdesk-launcher":
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_test_id("helpdesk-input")).to_be_focused()
    page.keyboard.type("English please")
    page.keyboard.press("Enter")
    expect(messages(page, "bot")).to_have_count(1, timeout=ANSWER_WAIT)
    page.keyboard.type("How do I register an NGO?")
    page.keyboard.press("Enter")
    expect(messages(page, "bot").filter(has_text="Source")).to_have_count(1, timeout=ANSWER_WAIT)
    expect(page.get_by_test_id("helpdesk-button").first).to_be_enabled()
    reached = set()
    for _ in range(40):  # every part of the widget is reachable with Tab
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.dataset.testid || document.activeElement.tagName"))
    assert {"helpdesk-button", "helpdesk-input", "helpdesk-send", "helpdesk-close"} <= reached
    page.get_by_test_id("helpdesk-button").first.focus()
    page.keyboard.press("Enter")  # a button works from the keyboard too
    expect(messages(page, "user")).to_have_count(3, timeout=ANSWER_WAIT)
    page.keyboard.press("Escape")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()


def test_markup_in_a_message_is_shown_as_text(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("helpdesk-launcher").click()
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    ask(page, attack)
    expect(messages(page, "user").filter(has_text=attack)).to_have_count(1)
    expect(messages(page, "bot")).not_to_have_count(0, timeout=ANSWER_WAIT)
    assert page.locator("#helpdesk-widget img, #helpdesk-widget script").count() == 0
    assert dialogs == []


def test_the_interface_speaks_the_page_language_and_fits_a_phone(browser, running_bot):
    phone = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{running_bot.gateway_url}/?lang=en")
    page.get_by_test_id("helpdesk-launcher").click()
    expect(page.get_by_test_id("helpdesk-input")).to_have_attribute("placeholder", re.compile("question", re.I))
    box = page.get_by_role("dialog").bounding_box()
    assert box["width"] >= 370 and box["height"] >= 600  # full screen on a phone
    phone.close()
