"""`make run` (python -m bot.run): starts everything, says where to go, stops cleanly, and
stops everything with the reason when one process dies."""
import contextlib
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from bot.knowledge.loader import PROJECT_ROOT

pytestmark = pytest.mark.e2e
PORTS = {"HELPDESK_RASA_PORT": "15205", "HELPDESK_ACTIONS_PORT": "15255", "HELPDESK_PORT": "15280"}


def start(tmp_path) -> subprocess.Popen:
    env = {**os.environ, **PORTS, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.Popen([sys.executable, "-m", "bot.run"], cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_ready(process: subprocess.Popen) -> str:
    printed = ""
    deadline = time.monotonic() + 180
    while "Rasa REST channel" not in printed:
        line = process.stdout.readline()
        assert line or process.poll() is None, f"run command ended early: {process.stderr.read()}"
        printed += line
        assert time.monotonic() < deadline, printed
    return printed


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def children(pid: int) -> dict:
    # -ww: full command lines, whatever COLUMNS the caller has (CI sets it to 80, cutting "--enable-api" off)
    listed = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(line.split(None, 1)[0]): line.split(None, 1)[1] for line in listed.strip().splitlines()}


def kill_all(process: subprocess.Popen) -> None:
    """After a failure: the run command's children run in their own sessions and would outlive it,
    holding the ports for the next test. (Once it has exited, its pid may belong to another process.)"""
    for pid in children(process.pid) if process.poll() is None else ():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.kill()


def test_starts_everything_prints_the_widget_page_and_stops_cleanly_on_ctrl_c(tmp_path):
    process = start(tmp_path)
    try:
        printed = wait_until_ready(process)
        gateway = f"http://127.0.0.1:{PORTS['HELPDESK_PORT']}"
        assert f"Widget demo page:   {gateway}/" in printed and "Telegram:           off" in printed
        assert "Mail (offline):     off" in printed
        assert answers(f"{gateway}/") and answers(f"{gateway}/widget/widget.js")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert not answers(f"{gateway}/health")
        assert not answers(f"http://127.0.0.1:{PORTS['HELPDESK_RASA_PORT']}/status")
    finally:
        kill_all(process)


def test_when_one_process_dies_it_says_which_and_stops_the_rest(tmp_path):
    process = start(tmp_path)
    try:
        wait_until_ready(process)
        rasa = next(pid for pid, args in children(process.pid).items() if "--enable-api" in args)
        os.kill(rasa, signal.SIGKILL)
        assert process.wait(timeout=60) == 1
        assert "Rasa server exited" in process.stderr.read()
        assert not answers(f"http://127.0.0.1:{PORTS['HELPDESK_PORT']}/health")
        assert not answers(f"http://127.0.0.1:{PORTS['HELPDESK_ACTIONS_PORT']}/health")
    finally:
        kill_all(process)
