import pytest

from tests.fake_rasa import FakeRasa
from tests.servers import LocalServer, free_port


@pytest.fixture
def rasa():
    fake, port = FakeRasa(), free_port()
    with LocalServer(fake.app, port=port):
        yield fake, port


@pytest.fixture
def always_open(tmp_path):
    hours = tmp_path / "open.yml"
    day = '["00:00-23:59"]'
    hours.write_text("timezone: Europe/Belgrade\nhours:\n" + "".join(
        f"  {d}: {day}\n" for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")))
    return hours
