from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fake_rasa import FakeRasa
from tests.servers import LocalServer, free_port


@pytest.fixture
def rasa():
    fake, port = FakeRasa(), free_port()
    with LocalServer(fake.app, port=port):
        yield fake, port


ALWAYS_OPEN = Path(__file__).resolve().parent.parent / "data" / "always_open.yml"


@pytest.fixture
def always_open():
    return ALWAYS_OPEN


@pytest.fixture
def closed_hours(tmp_path):
    """Business hours closed today and tomorrow (holidays); returns the file and the day staff are back."""
    today = datetime.now(ZoneInfo("Europe/Belgrade")).date()
    hours = tmp_path / "closed.yml"
    hours.write_text("timezone: Europe/Belgrade\nhours:\n" + "".join(
        f'  {d}: ["09:00-10:00"]\n' for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                               "sunday")) + f"holidays: [{today}, {today + timedelta(days=1)}]\n")
    return hours, today + timedelta(days=2)
