"""Browser fixtures and helpers for the end-to-end tests (Playwright driving Debian's Chromium)."""
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import needs_service

ANSWER_WAIT = 30_000  # ms
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]


# Module scope: Playwright's sync API keeps an event loop running in this thread until it stops,
# and pytest-asyncio cannot run the async tests of later modules while one runs.
@pytest.fixture(scope="module")
def browser():
    executable = needs_service("HELPDESK_TEST_CHROMIUM", "Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context, running_bot) -> Page:
    page = context.new_page()
    page.goto(f"{running_bot.gateway_url}/?lang=sq")
    return page


def messages(page: Page, author: str):
    return page.locator(f'[data-testid="helpdesk-message"][data-from="{author}"]')


def ask(page: Page, question: str) -> None:
    page.get_by_test_id("helpdesk-input").fill(question)
    page.get_by_test_id("helpdesk-send").click()
