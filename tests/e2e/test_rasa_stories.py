"""Rasa's own test stories (tests/stories/, both languages) against the trained model.

`rasa test core --e2e` predicts the intent of every user message and the next action;
any story with a wrong prediction is written to failed_test_stories.yml (kept in
results/stories/ for reading) and fails this test.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.knowledge.loader import PROJECT_ROOT
from bot.settings import Settings

pytestmark = pytest.mark.e2e


def test_every_test_story_passes():
    files = sorted((PROJECT_ROOT / "tests" / "stories").glob("test_*.yml"))
    stories = sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))["stories"]) for f in files)
    out = PROJECT_ROOT / "results" / "stories"
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "test", "core", "--e2e", "--stories", "tests/stories",
         "--model", str(Settings().model), "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
    # Rasa silently skips files it does not take for test stories; make sure none was.
    evaluated = re.search(r"Evaluating (\d+) stories", done.stdout + done.stderr)
    assert evaluated and int(evaluated.group(1)) == stories > 80
