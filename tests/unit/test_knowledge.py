import re

import yaml

from bot.knowledge.loader import catalogue_ids, load_knowledge
from bot.knowledge.training_data import held_out_examples, stale_files, training_examples
from tests.conftest import SHARED_REFERENCE


def test_the_knowledge_base_has_no_problems(kb):
    assert [str(p) for p in kb.problems] == []


def test_every_catalogue_article_exists_with_both_languages(kb):
    for article_id in catalogue_ids():
        article = kb.articles[article_id]
        assert article.answer["sq"] and article.answer["en"]
        assert len(article.examples_in("sq")) >= 20 and len(article.examples_in("en")) >= 20
        assert article.sources and article.last_checked


def test_the_catalogue_copy_matches_the_shared_reference():
    text = (SHARED_REFERENCE / "kb-topics.md").read_text(encoding="utf-8")
    first_table = text.split("Beyond the articles")[0]
    assert re.findall(r"^\| `([a-z0-9_.]+)` \|", first_table, re.M) == catalogue_ids()


def test_generated_training_data_matches_the_knowledge_base(kb):
    """Fails when knowledge/ changed and `helpdesk kb build` was not run (or data/ was edited)."""
    assert [p.name for p in stale_files(kb)] == []


def test_held_out_examples_are_never_in_the_training_data(kb):
    from bot.knowledge.training_data import NLU_DIR

    trained = set()
    for path in NLU_DIR.glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            trained |= {line[2:] for line in block["examples"].splitlines()}
    held_out = {e.text for intent in kb.intents for e in held_out_examples(intent)}
    assert held_out and not (held_out & trained)
    share = len(held_out) / sum(len(i.examples) for i in kb.intents)
    assert 0.15 < share < 0.25
    assert all(training_examples(i) for i in kb.intents)


def _problems_after(kb_copy, filename, edit, folder="knowledge"):
    path = kb_copy / folder / filename
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    kb = load_knowledge(kb_copy / "knowledge", kb_copy / "conversation")
    return [str(p) for p in kb.problems]


def test_a_missing_answer_is_reported_by_file_and_field(kb_copy):
    problems = _problems_after(kb_copy, "registration.how.yml", lambda d: d["answer"].pop("en"))
    assert problems == ["knowledge/registration.how.yml: answer.en: is missing or empty"]


def test_too_few_examples_and_a_bad_url_are_reported(kb_copy):
    def edit(d):
        d["examples"]["en"] = {"standard": ["how do I register?"]}
        d["sources"][0]["url"] = "ojq.rks-gov.net"
    problems = _problems_after(kb_copy, "registration.how.yml", edit)
    assert any("examples.en: has 1 questions; at least 20" in p for p in problems)
    assert any("sources #1 url" in p and "https://" in p for p in problems)


def test_languages_that_disagree_on_a_number_or_link_are_reported(kb_copy):
    def edit(d):
        d["answer"]["en"] += "\nIt takes 45 days; see example.org."
    problems = _problems_after(kb_copy, "registration.time_fee.yml", edit)
    assert any("answer: the Albanian and English texts give different numbers" in p for p in problems)
    assert any("answer: the Albanian and English texts name different links" in p for p in problems)


def test_broken_yaml_is_reported_in_plain_words(kb_copy):
    path = kb_copy / "knowledge" / "about.kcsf.yml"
    path.write_text("id: about.kcsf\nanswer:\n  sq: x\n en: y\n", encoding="utf-8")
    problems = [str(p) for p in load_knowledge(kb_copy / "knowledge", kb_copy / "conversation").problems]
    assert any(p.startswith("knowledge/about.kcsf.yml: is not valid YAML near line") for p in problems)


def test_the_same_question_under_two_intents_is_reported(kb_copy, kb):
    question = kb.articles["about.kcsf"].examples_in("en")[0].text

    def edit(d):
        d["examples"]["en"]["standard"].append(question.upper())
    problems = _problems_after(kb_copy, "about.tacso.yml", edit)
    assert any("about.tacso.yml: examples" in p and "also an example of 'about.kcsf'" in p for p in problems)


def test_a_near_miss_group_needs_a_pointer_in_both_languages(kb_copy):
    problems = _problems_after(kb_copy, "out_of_scope.business.yml", lambda d: d["pointer"].pop("sq"), "conversation")
    assert "conversation/out_of_scope.business.yml: pointer.sq: is missing or empty" in problems
    problems = _problems_after(kb_copy, "out_of_scope.business.yml", lambda d: d.pop("pointer"), "conversation")
    assert any("out_of_scope.business.yml: pointer: must have an 'sq'" in p for p in problems)


def test_a_pointer_needs_the_same_links_sources_and_a_date(kb_copy):
    def edit(d):
        d["pointer"]["en"] = d["pointer"]["en"].replace("kqz-ks.org", "kqz.example.org")
        d.pop("sources")
        d["last_checked"] = "soon"
    problems = _problems_after(kb_copy, "out_of_scope.political_party.yml", edit, "conversation")
    where = "conversation/out_of_scope.political_party.yml"
    assert any(p.startswith(f"{where}: pointer: the Albanian and English texts name different links") for p in problems)
    assert f"{where}: sources: is missing: name at least one source with a title and a url" in problems
    assert any(p.startswith(f"{where}: last_checked: must be the date") for p in problems)


def test_only_a_near_miss_group_has_a_pointer(kb_copy):
    problems = _problems_after(kb_copy, "out_of_scope.yml", lambda d: d.update(pointer={"sq": "x", "en": "x"}),
                               "conversation")
    assert problems == ["conversation/out_of_scope.yml: pointer: only an out-of-scope group "
                        "(out_of_scope.<group>) has a pointer"]
