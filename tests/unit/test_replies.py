import pytest
import yaml

from bot.dialogue.decision import CLARIFY, HANDOFF, LANGUAGE_SWITCH, OUT_OF_SCOPE, Decision
from bot.dialogue.replies import ResponseTexts, compose
from bot.knowledge.loader import PROJECT_ROOT


@pytest.fixture(scope="module")
def texts():
    return ResponseTexts(yaml.safe_load((PROJECT_ROOT / "domain" / "responses.yml").read_text())["responses"])


@pytest.mark.parametrize("language", ["sq", "en"])
def test_an_article_answer_carries_its_source_link_date_and_what_else_to_ask(kb, texts, language):
    article = kb.articles["registration.how"]
    replies = compose(Decision("registration.how", 0.9), language, kb, texts)
    assert replies[0].text.startswith(article.answer[language])
    assert article.sources[0].url in replies[0].text
    assert article.last_checked.isoformat() in replies[0].text
    related_titles = [kb.articles[r].title[language] for r in article.related[:3]]
    more = texts.get("utter_more_button", language).text
    assert [b["title"] for b in replies[1].buttons] == [more, *related_titles]
    assert replies[1].buttons[0]["payload"] == '/article.more{"article": "registration.how"}'
    assert all(b["payload"].startswith("/") for b in replies[1].buttons)


def test_more_gives_the_second_part_with_its_source(kb, texts):
    article = kb.articles["registration.how"]
    replies = compose(Decision("registration.how", 0.9, more=True), "en", kb, texts)
    assert replies[0].text.startswith(article.more["en"])
    assert article.sources[0].url in replies[0].text
    assert "More" not in [b["title"] for r in replies for b in r.buttons]


def test_more_on_an_article_without_a_second_part_says_so(kb, texts):
    short = next(a for a in kb.articles.values() if not a.more)
    replies = compose(Decision(short.id, 0.9, more=True), "sq", kb, texts)
    assert replies[0].text.startswith("Nuk kam më shumë detaje")


def test_replies_are_in_the_requested_language(kb, texts):
    sq = compose(Decision("chitchat.greet", 0.9), "sq", kb, texts)[0].text
    en = compose(Decision("chitchat.greet", 0.9), "en", kb, texts)[0].text
    assert "Përshëndetje" in sq and "Hello" in en


@pytest.mark.parametrize("language", ["sq", "en"])
def test_every_small_talk_intent_has_its_own_reply_not_the_refusal(kb, texts, language):
    refusal = texts.get("utter_out_of_scope", language).text
    small_talk = [i.id for i in kb.intents if i.id.startswith("chitchat.")]
    assert "chitchat.acknowledge" in small_talk
    for intent in small_talk:
        reply = compose(Decision(intent, 0.9), language, kb, texts)[0].text
        assert reply and refusal not in reply, intent


def test_clarification_offers_article_titles_and_a_way_out(kb, texts):
    reply = compose(Decision(CLARIFY, 0.3, candidates=("registration.how", "registration.documents")), "en", kb, texts)[0]
    assert [b["payload"] for b in reply.buttons] == ["/registration.how", "/registration.documents", f"/{OUT_OF_SCOPE}"]
    assert reply.buttons[0]["title"] == kb.articles["registration.how"].title["en"]


def test_handoff_carries_the_signal_for_the_gateway(kb, texts):
    reply = compose(Decision(HANDOFF, 0.9, handoff_reason="failed_attempts"), "sq", kb, texts,
                    last_article="pbs.apply")[0]
    assert reply.custom == {"handoff": {"reason": "failed_attempts", "language": "sq", "last_article": "pbs.apply"}}


def test_out_of_scope_lists_topics_and_offers_a_person(kb, texts):
    reply = compose(Decision(OUT_OF_SCOPE, 0.1), "en", kb, texts)[0]
    assert reply.text.startswith("Sorry, that is not something I can help with.")
    assert "EU funds" in reply.text
    assert reply.buttons == [{"title": "Talk to a person", "payload": "/handoff.request"}]


POINTERS = {  # group -> where it points, the same in both languages
    "out_of_scope.business": ["ARBK", "arbk.rks-gov.net"],
    "out_of_scope.tax_private": ["ATK", "atk-ks.org", "0800 80 800", "tatimineprone-rks.org"],
    "out_of_scope.political_party": ["KQZ", "kqz-ks.org", "06/L-043"],
    "out_of_scope.trade_union": ["06/L-043", "04/L-011"],
    "out_of_scope.religious_community": ["06/L-043", "02/L-31"],
}


def test_every_group_has_a_pointer_with_sources_checked_on_a_date(kb):
    groups = {i for i in kb.conversation if i.startswith(f"{OUT_OF_SCOPE}.")}
    assert groups == set(POINTERS) == set(kb.pointers)
    for pointer in kb.pointers.values():
        assert pointer.sources and all(s.url.startswith("https://") for s in pointer.sources)
        assert pointer.last_checked is not None


@pytest.mark.parametrize("group", sorted(POINTERS))
@pytest.mark.parametrize("language", ["sq", "en"])
def test_a_near_miss_is_refused_with_its_pointer_then_the_topics_and_a_person(kb, texts, group, language):
    plain = compose(Decision(OUT_OF_SCOPE, 0.6), language, kb, texts)[0]
    replies = compose(Decision(OUT_OF_SCOPE, 0.6, pointer=group), language, kb, texts)
    assert len(replies) == 1
    refusal, pointer, offer = replies[0].text.split("\n\n")
    assert refusal == texts.get("utter_out_of_scope", language).text
    assert pointer == kb.pointers[group].text[language]
    assert offer == texts.get("utter_out_of_scope_offer", language).text
    assert plain.text == f"{refusal}\n\n{offer}"
    assert replies[0].buttons == plain.buttons and plain.buttons[0]["payload"] == "/handoff.request"
    assert all(fact in pointer for fact in POINTERS[group])


def test_an_unknown_group_falls_back_to_the_plain_refusal(kb, texts):
    plain = compose(Decision(OUT_OF_SCOPE, 0.6), "sq", kb, texts)[0]
    assert compose(Decision(OUT_OF_SCOPE, 0.6, pointer="out_of_scope.visa"), "sq", kb, texts)[0].text == plain.text


def test_language_switch_is_confirmed_in_the_new_language(kb, texts):
    assert "English" in compose(Decision(LANGUAGE_SWITCH, 0.9, language_target="en"), "en", kb, texts)[0].text
