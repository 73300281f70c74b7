"""`make bench-gateway` (part of `make bench`): the gateway's cost over calling Rasa directly.

One run, one set of servers: the same questions go alternately to Rasa's REST channel
and through the gateway as a widget would send them (WebSocket, stored, answered,
delivered). Latency counts from sending until the turn's last reply arrived. Then 50
widget conversations talk at once; afterwards every message is checked: answered
exactly once (gateway store and Rasa's own trackers agree), none lost.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from typing import Dict, List, Optional

import httpx
import websockets
from sqlalchemy import create_engine, text

from bench.eval_nlu import independent_items
from bench.runtime import RESULTS, percentile
from bot.gateway.catalogue import LANGUAGES, text as catalogue_text
from bot.gateway.handoff_gate import CANCEL, HELD
from bot.services import Services
from bot.settings import Settings

TURN_TIMEOUT = 60.0
RATE_PAUSE = 2.0  # widget.js waits this long after a refusal by the flood limit, then doubles it
# When Rasa does not answer in time the gateway says "one moment" and retries: not the answer.
WAIT_NOTICES = {catalogue_text(language, "gateway.one_moment") for language in LANGUAGES}


class WidgetClient:
    def __init__(self, url: str):
        self.url, self.session = url, uuid.uuid4().hex
        self.rate_limited = 0  # messages the flood limit refused (then sent again)

    async def __aenter__(self) -> "WidgetClient":
        self.socket = await websockets.connect(self.url, max_size=2 ** 22)
        await self.socket.send(json.dumps({"type": "hello", "session": self.session, "language": "sq"}))
        await self._until(lambda f: f["type"] == "history")
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()

    async def _until(self, done) -> List[dict]:
        frames = []
        while True:
            frame = json.loads(await asyncio.wait_for(self.socket.recv(), TURN_TIMEOUT))
            frames.append(frame)
            if done(frame):
                return frames

    async def ask(self, question: str, payload: Optional[str] = None) -> bool:
        """Sends one message and waits until the turn is complete; True if it ended in the queue for a person.

        Refused by the flood limit (these users type faster than people do), it is sent again after
        a pause, as widget.js does."""
        message = json.dumps({"type": "message", "id": uuid.uuid4().hex, "text": question, "payload": payload})
        await self.socket.send(message)
        answered, queued, pause = False, False, RATE_PAUSE

        def complete(frame: dict) -> bool:
            nonlocal answered, queued
            if frame["type"] == "message" and frame["from"] in ("bot", "system") and frame["text"] not in WAIT_NOTICES:
                answered = True
                queued |= any(b["payload"] == CANCEL for b in frame["buttons"] or [])
            return (frame["type"] == "typing" and not frame["on"] and answered) or \
                (frame["type"] == "error" and frame["code"] == "rate_limited")

        while (await self._until(complete))[-1]["type"] == "error":
            self.rate_limited += 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, 30.0)
            await self.socket.send(message)
        return queued

    async def ask_bot(self, question: str) -> float:
        """A question for the bot: the seconds until its turn was complete. A handoff (some questions
        ask for a person) is then cancelled, untimed."""
        started = time.perf_counter()
        queued = await self.ask(question)
        seconds = time.perf_counter() - started
        if queued:
            await self.ask("cancel", payload=CANCEL)
        return seconds


async def latency(settings: Settings, questions: List[str], conversations: int) -> Dict[str, List[float]]:
    samples: Dict[str, List[float]] = {"rasa": [], "gateway": []}
    widget_url = f"ws://{settings.host}:{settings.gateway_port}/widget/ws"
    senders = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(conversations)]
    async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=TURN_TIMEOUT) as rest:
        widgets = [await WidgetClient(widget_url).__aenter__() for _ in range(conversations)]
        try:
            for i, question in enumerate(questions):  # alternate, so machine noise hits both alike
                started = time.perf_counter()
                (await rest.post("/webhooks/rest/webhook", json={
                    "sender": senders[i % conversations], "message": question,
                    "metadata": {"language": "sq", "channel": "rest"}})).raise_for_status()
                samples["rasa"].append(time.perf_counter() - started)
                samples["gateway"].append(await widgets[i % conversations].ask_bot(question))
        finally:
            for widget in widgets:
                await widget.__aexit__()
    return samples


async def widget_load(settings: Settings, questions: List[str], conversations: int, each: int) -> dict:
    widget_url = f"ws://{settings.host}:{settings.gateway_port}/widget/ws"

    async def talk(index: int) -> WidgetClient:
        async with WidgetClient(widget_url) as widget:
            for j in range(each):
                await widget.ask_bot(questions[(index * each + j) % len(questions)])
            return widget

    started = time.perf_counter()
    widgets = await asyncio.gather(*(talk(i) for i in range(conversations)))
    seconds = time.perf_counter() - started
    return {"sessions": [w.session for w in widgets], "messages_per_s": conversations * each / seconds,
            "rate_limited": sum(w.rate_limited for w in widgets)}


async def rest_load(settings: Settings, questions: List[str], conversations: int, each: int) -> float:
    async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=TURN_TIMEOUT,
                                 limits=httpx.Limits(max_connections=conversations)) as rest:
        async def talk(index: int) -> None:
            sender = f"load-{uuid.uuid4().hex[:8]}"
            for j in range(each):
                (await rest.post("/webhooks/rest/webhook", json={
                    "sender": sender, "message": questions[(index * each + j) % len(questions)]})).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(talk(i) for i in range(conversations)))
        return conversations * each / (time.perf_counter() - started)


def count_deliveries(settings: Settings, sessions: List[str], each: int) -> Dict[str, int]:
    """Lost: sent but neither answered nor held for staff. Duplicated: seen by Rasa more than once.
    Retried: the gateway's further attempts when Rasa did not answer (each message counts them).

    Held: a question that arrived while its conversation waited for a person (the bench
    cancels each handoff, but a question already sent goes to staff, as designed)."""
    engine = create_engine(settings.database_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.sender_id, c.external_id, m.status, m.payload, m.attempts FROM messages m JOIN conversations c "
            "ON c.id = m.conversation_id WHERE m.direction = 'in' AND c.channel = 'widget'")).all()
    engine.dispose()
    mine = [r for r in rows if r.external_id in set(sessions)]
    questions = [r for r in mine if r.payload != CANCEL]
    answered = sum(r.status == "answered" for r in questions)
    held = sum(r.status == HELD for r in questions)
    seen_by_rasa = 0
    with httpx.Client(base_url=settings.rasa_url, timeout=30) as rest:
        for sender in {r.sender_id for r in mine}:
            events = rest.get(f"/conversations/{sender}/tracker").json()["events"]
            seen_by_rasa += sum(e["event"] == "user" for e in events)
    sent = len(sessions) * each
    return {"sent": sent, "stored": len(questions), "answered": answered, "held_for_staff": held,
            "lost": sent - answered - held, "duplicated": max(0, seen_by_rasa - sent + held),
            "rasa_retries": sum(r.attempts for r in questions)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="latency samples per path")
    parser.add_argument("--conversations", type=int, default=50, help="concurrent widget conversations")
    parser.add_argument("--each", type=int, default=10, help="messages per conversation under load")
    parser.add_argument("--database-url", help="the gateway's database (default: a new SQLite file); "
                        "a PostgreSQL URL measures that store, whose units of work run in threads")
    args = parser.parse_args(argv)
    questions = [item.text for item in independent_items()]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(rasa_port=18005, actions_port=18055, gateway_port=18080,
                            database_url=args.database_url or f"sqlite:///{tmp}/bench.db")
        services = Services(settings, log_dir=RESULTS / "bench-logs" / "gateway")
        print("[bench-gateway] starting the help desk ...", file=sys.stderr, flush=True)
        services.start(timeout=600)
        try:
            print("[bench-gateway] latency ...", file=sys.stderr, flush=True)
            samples = asyncio.run(latency(settings, questions[: args.messages], conversations=20))
            print("[bench-gateway] load ...", file=sys.stderr, flush=True)
            load = asyncio.run(widget_load(settings, questions, args.conversations, args.each))
            direct = asyncio.run(rest_load(settings, questions, args.conversations, args.each))
            counts = count_deliveries(settings, load["sessions"], args.each)
        finally:
            services.stop()
    figures = {
        **{f"{path}_median_ms": statistics.median(values) * 1000 for path, values in samples.items()},
        **{f"{path}_p95_ms": percentile(values, 0.95) * 1000 for path, values in samples.items()},
        "widget_messages_per_s": load["messages_per_s"], "rest_messages_per_s": direct, **counts,
        "rate_limited_resends": load["rate_limited"],
    }
    figures["overhead_median_ratio"] = figures["gateway_median_ms"] / figures["rasa_median_ms"]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench-gateway.json").write_text(json.dumps(figures, indent=1))
    print("| figure | Rasa REST directly | through the gateway (widget) | ratio |\n|---|---|---|---|")
    print(f"| median latency, ms | {figures['rasa_median_ms']:.1f} | {figures['gateway_median_ms']:.1f} | "
          f"{figures['overhead_median_ratio']:.2f} |")
    print(f"| p95 latency, ms | {figures['rasa_p95_ms']:.1f} | {figures['gateway_p95_ms']:.1f} | "
          f"{figures['gateway_p95_ms'] / figures['rasa_p95_ms']:.2f} |")
    print(f"| messages/s, {args.conversations} concurrent conversations | {direct:.1f} | "
          f"{load['messages_per_s']:.1f} | {load['messages_per_s'] / direct:.2f} |")
    print(f"\n{len(samples['rasa'])} latency samples per path, asked alternately. Under load: "
          f"{counts['sent']} sent, {counts['answered']} answered, {counts['held_for_staff']} held for staff "
          f"(sent while a handoff was open), {counts['lost']} lost, {counts['duplicated']} duplicated; "
          f"{load['rate_limited']} refused by the flood limit (12 messages per 10 s per chat) and sent again "
          f"after a pause, as the widget does; {counts['rasa_retries']} Rasa turns retried by the gateway.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
