"""`make bench-handoff` (part of `make bench`): how fast the handoff path feels.

One help desk as `make run` starts it (SQLite, business hours always open), 3 staff
logged in with the console's live socket, 20 widget users asking for a person one after
another (so up to 20 wait at once). Measured: from a user's request to the ticket
arriving on the open consoles, and from a staff reply to the user's widget.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from typing import List, Optional

import httpx
import websockets

from bench.gateway import TURN_TIMEOUT, WidgetClient
from bench.runtime import RESULTS, percentile
from bot.knowledge.loader import PROJECT_ROOT
from bot.services import Services
from bot.settings import Settings
from bot.store.database import create_engine_for, migrate, session_factory
from bot.store.staff import StaffAccounts

PASSWORD = "benchmark password"
ALWAYS_OPEN = PROJECT_ROOT / "tests" / "data" / "always_open.yml"


class Console:
    """A logged-in staff member: the console's HTTP API and its live socket."""

    def __init__(self, base: str):
        self.base = base
        self.client = httpx.AsyncClient(base_url=base, timeout=TURN_TIMEOUT)

    async def open(self, username: str) -> "Console":
        page = await self.client.get("/staff/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        await self.client.post("/staff/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        console = await self.client.get("/staff")
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', console.text).group(1)
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        self.socket = await websockets.connect(self.base.replace("http", "ws") + "/staff/ws",
                                               extra_headers={"Cookie": cookie})
        return self

    async def next_ticket(self) -> int:
        while True:
            event = json.loads(await asyncio.wait_for(self.socket.recv(), TURN_TIMEOUT))
            if event["type"] == "new_ticket":
                return event["ticket_id"]

    async def post(self, path: str, body: Optional[dict] = None) -> httpx.Response:
        response = await self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})
        response.raise_for_status()
        return response

    async def close(self) -> None:
        await self.socket.close()
        await self.client.aclose()


async def wait_for(widget: WidgetClient, author: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(widget.socket.recv(), TURN_TIMEOUT))
        if frame["type"] == "message" and frame["from"] == author:
            return frame


async def run(settings: Settings, users: int, staff: int) -> dict:
    consoles = [await Console(settings.gateway_url).open(f"staff{n}") for n in range(staff)]
    widgets: List[WidgetClient] = []
    to_console, to_user = [], []
    tickets = []
    try:
        for _ in range(users):
            widget = await WidgetClient(f"ws://{settings.host}:{settings.gateway_port}/widget/ws").__aenter__()
            widgets.append(widget)
            started = time.perf_counter()
            await widget.socket.send(json.dumps({"type": "message", "id": f"h{len(widgets)}", "text": "a person",
                                                 "payload": "/handoff.request"}))
            arrivals = await asyncio.gather(*(c.next_ticket() for c in consoles))
            to_console.append(time.perf_counter() - started)  # on every open console
            tickets.append(arrivals[0])
        for n, (widget, ticket) in enumerate(zip(widgets, tickets)):
            console = consoles[n % staff]
            await console.post(f"/staff/api/tickets/{ticket}/claim")
            await wait_for(widget, "system")  # "... is with you now"
            started = time.perf_counter()
            await console.post(f"/staff/api/tickets/{ticket}/messages", {"text": f"Hello, number {n}."})
            await wait_for(widget, "staff")
            to_user.append(time.perf_counter() - started)
    finally:
        for widget in widgets:
            await widget.__aexit__()
        for console in consoles:
            await console.close()
    return {"request_to_console_ms": to_console, "reply_to_widget_ms": to_user}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--staff", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(rasa_port=19005, actions_port=19055, gateway_port=19080,
                            database_url=f"sqlite:///{tmp}/bench.db", business_hours=ALWAYS_OPEN)
        migrate(settings.database_url)
        engine = create_engine_for(settings.database_url)
        for n in range(args.staff):
            StaffAccounts(session_factory(engine)).add(f"staff{n}", PASSWORD)
        engine.dispose()
        services = Services(settings, log_dir=RESULTS / "bench-logs" / "handoff")
        print("[bench-handoff] starting the help desk ...", file=sys.stderr, flush=True)
        services.start(timeout=600)
        try:
            samples = asyncio.run(run(settings, args.users, args.staff))
        finally:
            services.stop()
    figures = {}
    for key, values in samples.items():
        figures[key.replace("_ms", "_median_ms")] = statistics.median(values) * 1000
        figures[key.replace("_ms", "_p95_ms")] = percentile(values, 0.95) * 1000
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench-handoff.json").write_text(json.dumps(figures, indent=1))
    print("| figure | median, ms | p95, ms |\n|---|---|---|")
    print(f"| user's request for a person -> ticket on {args.staff} open consoles | "
          f"{figures['request_to_console_median_ms']:.0f} | {figures['request_to_console_p95_ms']:.0f} |")
    print(f"| staff reply -> the user's widget | {figures['reply_to_widget_median_ms']:.0f} | "
          f"{figures['reply_to_widget_p95_ms']:.0f} |")
    print(f"\n{args.users} users asking one after another (up to {args.users} waiting), {args.staff} staff.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
