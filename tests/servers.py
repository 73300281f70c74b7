"""Serving an ASGI app (a fake network peer, or the gateway itself) on localhost from a test."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator

import uvicorn
from starlette.types import ASGIApp

logger = logging.getLogger(__name__)
STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves SIGINT/SIGTERM to the host process (pytest)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class LocalServer:
    """Serves an ASGI app on 127.0.0.1 at a free port, from a thread or from an asyncio task.

    `start()`/`stop()` (or `with`) run uvicorn in its own thread and event loop, so the server
    answers even while the test blocks; `astart()`/`astop()` (or `async with`) run it as a task
    in the caller's loop.
    """

    def __init__(self, app: ASGIApp, on_stop: Callable[[], None] | None = None, port: int = 0) -> None:
        self._app = app
        self._on_stop = on_stop
        self._wanted_port = port  # a fixed port lets a test stop a peer and bring it back
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None
        self._port: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # the loop serving requests, if any

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not running")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        server, sock = self._prepare()
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._serve(server, sock),), name=f"local-server-{self._port}",
            daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._thread is None:
            return
        self._request_exit()
        self._thread.join(SHUTDOWN_TIMEOUT)
        if self._thread.is_alive():
            logger.warning("the server at %s did not stop within %ss", self.url, SHUTDOWN_TIMEOUT)
        self._thread = None
        self._server = None

    async def astart(self) -> None:
        server, sock = self._prepare()
        self._task = asyncio.create_task(self._serve(server, sock))
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if self._task.done():
                await self._task  # re-raises the startup error, if any
            if self._task.done() or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {self.url} did not start")
            await asyncio.sleep(0.01)

    async def astop(self) -> None:
        if self._task is None:
            return
        self._request_exit()
        await self._task
        self._task = None
        self._server = None

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> LocalServer:
        await self.astart()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.astop()

    def _prepare(self) -> tuple[uvicorn.Server, socket.socket]:
        if self._server is not None:
            raise RuntimeError(f"the server at {self.url} is already running")
        # Binding here, not in uvicorn, gives the port before the server runs and avoids races.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._wanted_port))
        sock.listen()
        self._port = sock.getsockname()[1]
        # wsproto: uvicorn's default WebSocket implementation needs a newer websockets than Rasa's pin.
        config = uvicorn.Config(
            self._app, log_config=None, log_level="warning", access_log=False, lifespan="auto",
            ws="wsproto", timeout_graceful_shutdown=2)
        self._server = _QuietServer(config)
        return self._server, sock

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self.loop = asyncio.get_running_loop()
        try:
            await server.serve(sockets=[sock])
        finally:
            self.loop = None

    def _request_exit(self) -> None:
        if self._on_stop is not None:
            self._on_stop()
        assert self._server is not None
        self._server.should_exit = True
