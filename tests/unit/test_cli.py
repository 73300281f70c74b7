"""The `helpdesk kb` commands, as staff and other programs use them."""
import json

import yaml

from bot import cli


def test_kb_check_passes_on_the_repository(capsys):
    assert cli.main(["kb", "check"]) == 0
    assert capsys.readouterr().out.startswith("OK: 36 articles")


def test_kb_check_names_file_and_field_and_fails(capsys, kb_copy):
    path = kb_copy / "knowledge" / "pbs.apply.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["answer"]["en"] = ""
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folders = ["--knowledge", str(kb_copy / "knowledge"), "--conversation", str(kb_copy / "conversation")]
    assert cli.main(["kb", "check", *folders]) == 1
    out = capsys.readouterr().out
    assert "knowledge/pbs.apply.yml: answer.en: is missing or empty" in out
    assert "1 problem(s) found" in out


def test_kb_export_lists_every_article_as_json(capsys, kb):
    assert cli.main(["kb", "export"]) == 0
    articles = json.loads(capsys.readouterr().out)
    assert {a["id"] for a in articles} == set(kb.articles)
    first = next(a for a in articles if a["id"] == "registration.how")
    assert first["languages"] == ["en", "sq"]
    assert first["examples"]["sq"] >= 20 and first["examples"]["en"] >= 20
    assert first["sources"][0]["url"].startswith("https://")
    assert first["last_checked"] == kb.articles["registration.how"].last_checked.isoformat()


def test_classify_adds_the_pointer_only_when_asked():
    from bot.dialogue.classifier import Classification
    from bot.dialogue.decision import OUT_OF_SCOPE, Decision

    result = Classification(Decision(OUT_OF_SCOPE, 0.6, pointer="out_of_scope.business"), "sq")
    assert set(result.as_json("si ta hap nje shpk")) == {"text", "topic", "language", "confidence", "candidates"}
    assert result.as_json("si ta hap nje shpk", pointer=True)["pointer"] == "out_of_scope.business"
