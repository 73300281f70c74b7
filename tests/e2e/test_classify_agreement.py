"""`helpdesk classify` and the running bot must make the same decision for a first message."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.knowledge.loader import PROJECT_ROOT
from tests.e2e.conftest import Conversation

pytestmark = pytest.mark.e2e
HELPDESK = str(Path(sys.executable).parent / "helpdesk")


def real_first_messages(every: int = 7):
    items = []
    for path in sorted((PROJECT_ROOT / "eval" / "questions").glob("*.yml")):
        items += yaml.safe_load(path.read_text(encoding="utf-8"))
    return [item["text"] for item in items[::every]]


def classify(lines, model):
    data = b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines) + b"\n"
    done = subprocess.run([HELPDESK, "classify", "--model", str(model)], input=data,
                          capture_output=True, timeout=300, check=True)
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def test_classify_and_the_bot_agree_on_real_first_messages(rest, running_bot):
    texts = real_first_messages()
    assert len(texts) > 80
    classified = classify([json.dumps({"text": t}) for t in texts], running_bot.model)
    assert [c["text"] for c in classified] == texts
    disagreements = []
    for text, result in zip(texts, classified):
        conversation = Conversation(rest)
        conversation.say(text)
        slots = conversation.slots()
        if (slots["topic"], slots["language"]) != (result["topic"], result["language"]):
            disagreements.append((text, result["topic"], slots["topic"]))
    assert disagreements == []
    topics = {c["topic"] for c in classified}
    assert {"out_of_scope", "registration.how"} <= topics


def test_classify_output_has_the_contract_fields_and_reports_bad_lines(running_bot):
    out = classify(['{"text": "A duhet të paguajmë për regjistrimin e OJQ-së?"}', "not json", '{"txt": 1}',
                    '{"text": "English please"}', b'{"text": "\xff\xfe bad bytes"}'], running_bot.model)
    assert set(out[0]) == {"text", "topic", "language", "confidence", "candidates"}
    assert out[0]["language"] == "sq" and 0.0 <= out[0]["confidence"] <= 1.0
    assert "error" in out[1] and "line 2" in out[1]["error"]
    assert "error" in out[2]
    assert out[3]["topic"] == "language.switch" and out[3]["language"] == "en"
    assert len(out) == 5 and out[4]["topic"]
