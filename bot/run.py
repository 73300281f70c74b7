"""`make run`: starts the help desk (action server, Rasa, gateway) and, on a terminal, a chat with the bot.

The widget demo page and Rasa's REST channel stay available on localhost while the
terminal chat runs; without a terminal the command serves until stopped. If one
process dies, the command says which and why, and stops the others.
"""
from __future__ import annotations

import logging
import signal
import sys
import time
import uuid
from typing import Any, Dict, List

import httpx

from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)


def _show(messages: List[Dict[str, Any]], buttons: List[Dict[str, str]]) -> None:
    buttons.clear()
    for message in messages:
        if message.get("text"):
            print(f"bot> {message['text']}")
        for button in message.get("buttons") or []:
            buttons.append(button)
            print(f"     [{len(buttons)}] {button['title']}")
        if "handoff" in (message.get("custom") or {}):
            print("     (handoff to a person signalled)")


def chat(settings: Settings, services: Services) -> None:
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    buttons: List[Dict[str, str]] = []
    print("Type a message (a number picks a button); Ctrl-D or /stop to quit.")
    with httpx.Client(base_url=settings.rasa_url, timeout=30.0) as client:
        while True:
            try:
                text = input("you> ").strip()
            except EOFError:
                return
            if text == "/stop":
                return
            if not text:
                continue
            if text.isdigit() and 0 < int(text) <= len(buttons):
                text = buttons[int(text) - 1]["payload"]
            failure = services.first_failure()
            if failure:
                raise RuntimeError(failure)
            reply = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
            reply.raise_for_status()
            _show(reply.json(), buttons)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the chat
    settings = Settings.from_env()
    services = Services(settings)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Started as a background job of a script, a process inherits SIGINT ignored, and Python then
    # leaves it so: Ctrl-C (or `kill -INT`) must stop the help desk however it was launched.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print("Starting the action server, the Rasa server and the gateway (about 30 s) ...", flush=True)
    try:
        seconds = services.start()
        print(f"Ready after {seconds:.0f} s.\n"
              f"  Widget demo page:   {settings.gateway_url}/\n"
              f"  Staff console:      {settings.gateway_url}/staff  (accounts: .venv/bin/helpdesk staff add NAME --role admin)\n"
              f"  Telegram:           {'on (' + ('webhook' if settings.telegram_webhook_url else 'long polling') + ')' if settings.telegram_token else 'off (set TELEGRAM_BOT_TOKEN to switch it on)'}\n"
              f"  Mail (offline):     {'on, from ' + settings.mail_from if settings.mail_enabled else 'off (set HELPDESK_SMTP_HOST and HELPDESK_MAIL_FROM)'}\n"
              f"  Database:           {settings.database_url.split('@')[-1]}\n"
              f"  Rasa REST channel:  {settings.rasa_url}/webhooks/rest/webhook", flush=True)
        if sys.stdin.isatty():
            chat(settings, services)
        else:
            while not services.first_failure():
                time.sleep(1)
            print(services.first_failure(), file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("\nStopping ...")
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        services.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
