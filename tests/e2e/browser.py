"""Helpers for the browser tests (their fixtures are in conftest.py)."""
from playwright.sync_api import Page

ANSWER_WAIT = 30_000  # ms


def messages(page: Page, author: str):
    return page.locator(f'[data-testid="helpdesk-message"][data-from="{author}"]')


def ask(page: Page, question: str) -> None:
    page.get_by_test_id("helpdesk-input").fill(question)
    page.get_by_test_id("helpdesk-send").click()
