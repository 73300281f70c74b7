"""Whole conversations through Rasa's REST channel, with the real Rasa and action servers."""
import pytest

from tests.e2e.conftest import Conversation

pytestmark = pytest.mark.e2e


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def handoff(replies):
    return next((r["custom"]["handoff"] for r in replies if "handoff" in (r.get("custom") or {})), None)


def test_greets_thanks_and_says_goodbye_in_albanian(conversation):
    assert "Përshëndetje" in texts(conversation.say("Përshëndetje"))
    assert "S'ka përse" in texts(conversation.say("faleminderit shume"))
    assert "Mirupafshim" in texts(conversation.say("mirupafshim"))
    assert conversation.slots()["language"] == "sq"


def test_admits_being_a_bot_in_english(conversation):
    assert "I am a bot" in texts(conversation.say("am I talking to a real human?"))


def test_answers_in_english_with_source_and_follows_up_in_context(conversation, kb):
    replies = conversation.say("How do I register an NGO in Kosovo?")
    assert kb.articles["registration.how"].answer["en"] in texts(replies)
    assert "Source: https://" in texts(replies)
    assert "You can also ask me about" in texts(replies)
    follow_up = conversation.say("and how long does it take?")
    assert kb.articles["registration.time_fee"].answer["en"] in texts(follow_up)


def test_understands_gheg_without_diacritics(conversation, kb):
    replies = conversation.say("qysh me regjistru nji OJQ")
    assert kb.articles["registration.how"].answer["sq"] in texts(replies)
    assert "Burimi: https://" in texts(replies)
    assert kb.articles["registration.time_fee"].answer["sq"] in texts(conversation.say("a duhet me pagu?"))


def test_out_of_scope_twice_hands_off(conversation):
    first = conversation.say("what's the weather in Prishtina tomorrow?")
    assert "not something I can help with" in texts(first)
    assert {"title": "Talk to a person", "payload": "/handoff.request"} in first[0]["buttons"]
    assert handoff(first) is None
    second = conversation.say("who won the football match yesterday?")
    assert handoff(second)["reason"] == "failed_attempts"
    assert "connecting you with a person" in texts(second)


@pytest.mark.parametrize("language, answer, first, second, reply", [
    ("en", "How do I register an NGO in Kosovo?", "ok", "got it", "If you have another question"),
    # "ok" alone looks English to the detector; the Albanian conversation stays Albanian.
    ("sq", "qysh me regjistru nji OJQ", "ok", "kuptova", "Nëse keni ndonjë pyetje tjetër"),
])
def test_acknowledgements_after_an_answer_are_neither_refused_nor_handed_off(conversation, language, answer,
                                                                           first, second, reply):
    conversation.say(answer)
    for text in (first, second):
        replies = conversation.say(text)
        assert reply in texts(replies) and handoff(replies) is None
    assert conversation.slots()["failed_attempts"] == 0
    assert conversation.slots()["language"] == language


def test_near_misses_in_a_row_each_get_a_pointer_not_a_handoff(conversation):
    first = conversation.say("si ta hap nje shpk")
    assert "arbk.rks-gov.net" in texts(first) and handoff(first) is None
    second = conversation.say("and how do we register a political party before the elections?")
    assert "kqz-ks.org" in texts(second) and handoff(second) is None


def test_an_explicit_request_for_a_person_hands_off_at_once(conversation):
    replies = conversation.say("dua me fol me nji njeri")
    assert handoff(replies) == {"reason": "user_request", "language": "sq", "last_article": None}
    assert "po ju lidh me një person" in texts(replies)


def test_switches_language_on_request_and_keeps_it(conversation, kb):
    conversation.say("Përshëndetje")
    assert "continue in English" in texts(conversation.say("English please"))
    replies = conversation.say("si regjistrohet nje ojq")
    assert kb.articles["registration.how"].answer["en"] in texts(replies)
    assert "vazhdoj në shqip" in texts(conversation.say("shkruaj shqip te lutem"))
    assert conversation.slots()["language"] == "sq"


def test_the_widget_page_language_is_the_first_guess_for_an_unclear_message(conversation):
    replies = conversation.say("PADOR?", language="en")
    assert conversation.slots()["language"] == "en"
    assert replies


def test_the_more_button_and_typed_more_give_the_second_part(conversation, kb):
    article = kb.articles["registration.how"]
    replies = conversation.say("How do I register an NGO?")
    more_button = next(b for r in replies for b in r.get("buttons", []) if b["title"] == "More")
    assert article.more["en"].split("\n")[0] in texts(conversation.say(more_button["payload"]))
    conversation.say("what documents do we need to register")
    assert kb.articles["registration.documents"].more["en"].split("\n")[0] in texts(conversation.say("more details pls"))


def test_a_clarification_button_leads_to_the_answer(conversation, kb):
    replies = conversation.say("/registration.documents")
    assert kb.articles["registration.documents"].answer["sq"] in texts(replies)


@pytest.mark.parametrize("message", ["", " ", "x" * 100_000, "\x00\x01\x02\ufffd", "<script>alert(1)</script>",
                                     "Как зарегистрировать НКО?", "🙂🙂🙂"])
def test_bad_input_gets_an_answer_and_never_breaks_the_bot(rest, message):
    conversation = Conversation(rest)
    replies = conversation.say(message)
    assert isinstance(replies, list)
    assert "Përshëndetje" in texts(Conversation(rest).say("Përshëndetje"))
