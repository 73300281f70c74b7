"""`make bench`: this bot against the stock Rasa configuration, same data, one run.

For each configuration: training time, time from starting the servers to the first
answer, latency of one message through the REST channel (median, p95; the two bots
are asked alternately so that machine noise hits both alike), messages per second
with 20 concurrent conversations, and peak resident memory of the Rasa server.
Results go to results/bench.json and a Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Optional

import httpx

from bench.eval_nlu import STOCK_CONFIG, independent_items
from bot.knowledge.loader import PROJECT_ROOT
from bot.services import BIN, Services
from bot.settings import Settings

RESULTS = PROJECT_ROOT / "results"


@dataclass
class Bot:
    name: str
    config: Path
    settings: Settings
    model: Optional[Path] = None
    services: Optional[Services] = None
    figures: Dict[str, float] = field(default_factory=dict)
    latencies: List[float] = field(default_factory=list)


def train(bot: Bot, out: Path) -> None:
    started = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "train", "--config", str(bot.config), "--domain", "domain",
                    "--data", "data", "--out", str(out), "--fixed-model-name", bot.name, "--quiet",
                    "--force"], cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
                   # No training cache: each configuration is timed from scratch.
                   env={**os.environ, "RASA_MAX_CACHE_SIZE": "0", "RASA_TELEMETRY_ENABLED": "false"})
    bot.figures["training_s"] = time.perf_counter() - started
    bot.model = out / f"{bot.name}.tar.gz"


def start(bot: Bot) -> None:
    """Starts the servers and measures the time until the first real answer."""
    bot.settings = replace(bot.settings, model=bot.model)
    bot.services = Services(bot.settings, log_dir=RESULTS / "bench-logs" / bot.name)
    started = time.perf_counter()
    bot.services.start(timeout=600)
    with httpx.Client(timeout=60) as client:
        answer = client.post(f"{bot.settings.rasa_url}/webhooks/rest/webhook",
                             json={"sender": "warmup", "message": "Përshëndetje"})
        answer.raise_for_status()
    bot.figures["start_to_first_answer_s"] = time.perf_counter() - started


def peak_memory_mb(bot: Bot) -> float:
    """Peak resident set (VmHWM) of the Rasa server process."""
    rasa = next(s for s in bot.services.all if s.name == "Rasa server")
    for line in Path(f"/proc/{rasa.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_latency(bots: List[Bot], texts: List[str], conversations: int) -> None:
    senders = {bot.name: [f"lat-{uuid.uuid4().hex[:8]}" for _ in range(conversations)] for bot in bots}
    with httpx.Client(timeout=60) as client:
        for i, text in enumerate(texts):
            for bot in bots:
                body = {"sender": senders[bot.name][i % conversations], "message": text}
                started = time.perf_counter()
                client.post(f"{bot.settings.rasa_url}/webhooks/rest/webhook", json=body).raise_for_status()
                bot.latencies.append(time.perf_counter() - started)


async def _throughput(bot: Bot, texts: List[str], conversations: int, per_conversation: int) -> float:
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=conversations)) as client:
        async def talk(index: int) -> int:
            sender = f"tp-{uuid.uuid4().hex[:8]}"
            for j in range(per_conversation):
                text = texts[(index * per_conversation + j) % len(texts)]
                (await client.post(f"{bot.settings.rasa_url}/webhooks/rest/webhook",
                                   json={"sender": sender, "message": text})).raise_for_status()
            return per_conversation

        started = time.perf_counter()
        sent = sum(await asyncio.gather(*(talk(i) for i in range(conversations))))
        return sent / (time.perf_counter() - started)


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="messages per bot for the latency figure")
    parser.add_argument("--per-conversation", type=int, default=10, help="messages per conversation, throughput")
    args = parser.parse_args(argv)
    texts = [item.text for item in independent_items()]
    with tempfile.TemporaryDirectory() as tmp:
        bots = [Bot("ours", PROJECT_ROOT / "config.yml", Settings(
                    rasa_port=16005, actions_port=16055, gateway_port=16080, database_url=f"sqlite:///{tmp}/ours.db")),
                Bot("stock", STOCK_CONFIG, Settings(
                    rasa_port=17005, actions_port=17055, gateway_port=17080, database_url=f"sqlite:///{tmp}/stock.db"))]
        try:
            for bot in bots:
                print(f"[bench] training {bot.name} ...", file=sys.stderr, flush=True)
                train(bot, Path(tmp))
                print(f"[bench] starting {bot.name} ...", file=sys.stderr, flush=True)
                start(bot)
            print("[bench] latency ...", file=sys.stderr, flush=True)
            measure_latency(bots, texts[: args.messages], conversations=20)
            for bot in bots:
                print(f"[bench] throughput {bot.name} ...", file=sys.stderr, flush=True)
                bot.figures["messages_per_s_20_concurrent"] = asyncio.run(
                    _throughput(bot, texts, conversations=20, per_conversation=args.per_conversation))
                bot.figures["median_ms"] = statistics.median(bot.latencies) * 1000
                bot.figures["p95_ms"] = percentile(bot.latencies, 0.95) * 1000
                bot.figures["peak_rss_mb"] = peak_memory_mb(bot)
        finally:
            for bot in bots:
                if bot.services:
                    bot.services.stop()
    ours, stock = (b.figures for b in bots)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps({b.name: b.figures for b in bots}, indent=1))
    rows = [("median latency, ms (REST)", "median_ms"), ("p95 latency, ms", "p95_ms"),
            ("messages/s, 20 concurrent conversations", "messages_per_s_20_concurrent"),
            ("training time, s", "training_s"), ("start to first answer, s", "start_to_first_answer_s"),
            ("peak memory of the Rasa server, MB", "peak_rss_mb")]
    print("| figure | this bot | stock Rasa | ratio (this / stock) |\n|---|---|---|---|")
    for label, key in rows:
        print(f"| {label} | {ours[key]:.1f} | {stock[key]:.1f} | {ours[key] / stock[key]:.2f} |")
    print(f"\n{len(bots[0].latencies)} latency samples per bot, asked alternately.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
