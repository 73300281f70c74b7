import uuid

import httpx
import pytest

from bot.services import Services
from bot.settings import Settings


@pytest.fixture(scope="session")
def bot_settings(tmp_path_factory):
    # Ports and database apart from the defaults, so a help desk started with `make run` does not interfere.
    database = tmp_path_factory.mktemp("e2e") / "helpdesk.db"
    return Settings(rasa_port=15005, actions_port=15055, gateway_port=15080, database_url=f"sqlite:///{database}")


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
