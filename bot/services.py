"""Starts the action server, the Rasa server and the gateway as child processes and waits for all.

Used by `make run` and by the end-to-end tests, so both run the help desk the same way.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import httpx

from bot.knowledge.loader import PROJECT_ROOT
from bot.settings import Settings

log = logging.getLogger(__name__)
BIN = Path(sys.executable).parent


@dataclass
class Service:
    name: str
    command: List[str]
    ready_url: str
    log_file: Path
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    def start(self, env: Dict[str, str]) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        out = self.log_file.open("ab")
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=env, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def exit_reason(self) -> Optional[str]:
        if self.process is None or self.process.poll() is None:
            return None
        tail = self.log_file.read_text(errors="replace").strip().splitlines()[-5:]
        return f"{self.name} exited with code {self.process.returncode}:\n  " + "\n  ".join(tail)

    def terminate(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()

    def wait_or_kill(self, deadline: float) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Services:
    def __init__(self, settings: Settings, log_dir: Path = PROJECT_ROOT / "var" / "log"):
        self.settings = settings
        self.env = {**os.environ, **settings.env(), "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": settings.host,
                    "HELPDESK_ACTIONS_URL": settings.actions_url, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
        self.all = [
            Service("action server",
                    [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)],
                    f"http://{settings.host}:{settings.actions_port}/health", log_dir / "actions.log"),
            Service("Rasa server",
                    [str(BIN / "rasa"), "run", "--enable-api", "--interface", settings.host,
                     "--port", str(settings.rasa_port), "--model", str(settings.model),
                     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                    f"{settings.rasa_url}/status", log_dir / "rasa.log"),
            Service("gateway", [sys.executable, "-m", "bot.web"], f"{settings.gateway_url}/health",
                    log_dir / "gateway.log"),
        ]

    def start(self, timeout: float = 180.0) -> float:
        """Starts everything; returns the seconds until all answered. Raises with the reason on failure."""
        if not self.settings.model.exists():
            raise RuntimeError(f"No trained model at {self.settings.model}; run `make train`.")
        started = time.monotonic()
        for service in self.all:
            service.start(self.env)
        pending = list(self.all)
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for service in list(pending):
                    reason = service.exit_reason()
                    if reason:
                        self.stop()
                        raise RuntimeError(reason)
                    try:
                        if client.get(service.ready_url).status_code == 200:
                            pending.remove(service)
                    except httpx.HTTPError:
                        pass
                if time.monotonic() - started > timeout:
                    self.stop()
                    raise RuntimeError(f"{', '.join(s.name for s in pending)} did not answer within {timeout:.0f} s")
                time.sleep(0.3)
        return time.monotonic() - started

    def first_failure(self) -> Optional[str]:
        return next((r for r in (s.exit_reason() for s in self.all) if r), None)

    def stop(self, grace: float = 10.0) -> None:
        """Asks every process to stop at once, then kills what still runs after `grace` seconds:
        one slow shutdown (Rasa on a loaded machine) must not hold up the others."""
        for service in reversed(self.all):
            service.terminate()
        deadline = time.monotonic() + grace
        for service in reversed(self.all):
            service.wait_or_kill(deadline)
