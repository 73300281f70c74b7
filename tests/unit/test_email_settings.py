"""Email for offline tickets: which addresses are taken from what a user writes, and mail settings."""
import pytest

from bot.channels.email import find_address
from bot.settings import Settings


@pytest.mark.parametrize("written, address", [
    ("drita@example.org", "drita@example.org"),
    ("emaili im: <Drita.Krasniqi@Example.ORG>, faleminderit", "Drita.Krasniqi@example.org"),
    ("Write to ana.b+kcsf@mail.example.com.", "ana.b+kcsf@mail.example.com"),
    ("first bad@, then good@example.net", "good@example.net"),
    ("name@example", None),          # no top-level domain
    ("a@b@c.org", None),
    ("<script>@x.org", None),
    ("no address here", None),
    ("", None),
])
def test_the_first_valid_address_in_a_message_is_found(written, address):
    assert find_address(written) == address


def test_mail_is_off_by_default_and_needs_host_and_sender_together():
    assert not Settings.from_env({}).mail_enabled
    on = Settings.from_env({"HELPDESK_SMTP_HOST": "smtp.example.org", "HELPDESK_MAIL_FROM": "hd@example.org"})
    assert on.mail_enabled and (on.smtp_port, on.smtp_security) == (587, "starttls")
    assert Settings.from_env(on.env()) == on  # child processes get the same settings
    with pytest.raises(SystemExit, match="HELPDESK_MAIL_FROM"):
        Settings.from_env({"HELPDESK_SMTP_HOST": "smtp.example.org"})
    with pytest.raises(SystemExit, match="HELPDESK_SMTP_SECURITY"):
        Settings.from_env({"HELPDESK_SMTP_HOST": "h", "HELPDESK_MAIL_FROM": "f@x.org", "HELPDESK_SMTP_SECURITY": "tls"})
