import uuid

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from bot.services import Services
from bot.knowledge.loader import PROJECT_ROOT
from bot.settings import Settings
from tests.conftest import needs_service


@pytest.fixture(scope="session")
def bot_settings(tmp_path_factory):
    # Ports and database apart from the defaults, so a help desk started with `make run` does not interfere.
    database = tmp_path_factory.mktemp("e2e") / "helpdesk.db"
    # Staff "at work" whatever the day, so the handoff tests see the live queue, not offline tickets.
    return Settings(rasa_port=15005, actions_port=15055, gateway_port=15080, database_url=f"sqlite:///{database}",
                    business_hours=PROJECT_ROOT / "tests" / "data" / "always_open.yml")


@pytest.fixture(scope="session")
def running_bot(bot_settings):
    services = Services(bot_settings)
    services.start()
    yield bot_settings
    services.stop()


class Conversation:
    def __init__(self, client: httpx.Client):
        self.client = client
        self.sender = f"test-{uuid.uuid4().hex}"

    def say(self, text: str, **metadata):
        body = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = self.client.post("/webhooks/rest/webhook", json=body)
        response.raise_for_status()
        return response.json()

    def slots(self):
        return self.client.get(f"/conversations/{self.sender}/tracker").json()["slots"]


@pytest.fixture
def rest(running_bot):
    with httpx.Client(base_url=running_bot.rasa_url, timeout=30.0) as client:
        yield client


@pytest.fixture
def conversation(rest):
    return Conversation(rest)


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
