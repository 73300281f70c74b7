"""The trained model, loaded once, as `helpdesk classify` uses it."""
import pytest
import yaml

from bot.dialogue.classifier import Classifier
from bot.dialogue.decision import OUT_OF_SCOPE
from bot.dialogue.replies import ResponseTexts, compose
from bot.knowledge.loader import PROJECT_ROOT
from bot.settings import Settings


@pytest.fixture(scope="module")
def classifier():
    return Classifier.load(str(Settings().model))


@pytest.mark.parametrize("text, topic, language", [
    ("qysh me regjistru nji OJQ", "registration.how", "sq"),
    ("si te regjistroj nje organizate joqeveritare", "registration.how", "sq"),
    ("Çfarë dokumentesh duhen për regjistrimin e shoqatës?", "registration.documents", "sq"),
    ("a duhet me pagu per me regjistru ojq", "registration.time_fee", "sq"),
    ("how do i regster an ngo in kosovo", "registration.how", "en"),
    ("what must our statute contain", "governance.statute", "en"),
    ("hello", "chitchat.greet", "en"),
    ("ok e pashe", "chitchat.acknowledge", "sq"),
    ("Okay, I'll have a look at the website first.", "chitchat.acknowledge", "en"),
    ("English please", "language.switch", "en"),
    ("shkruaj shqip", "language.switch", "sq"),
    ("I want to talk to a human", "handoff.request", "en"),
    ("what's the weather like in Prizren tomorrow", "out_of_scope", "en"),
    ("si ta regjistroj nje biznes sh.p.k. ne ARBK", "out_of_scope", "sq"),
])
def test_typical_messages(classifier, text, topic, language):
    result = classifier.classify(text)
    assert (result.decision.topic, result.language) == (topic, language)


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_000, "\x00\ufffd", "<b>bold</b>", "???", "1234"])
def test_odd_input_is_classified_without_error(classifier, text):
    result = classifier.classify(text)
    assert result.language in ("sq", "en")
    assert result.decision.topic


# Near misses: refused like any out-of-scope question, with the pointer of their group;
# questions about NGOs themselves still get the article.
@pytest.mark.parametrize("text, topic, pointer", [
    ("si ta hap nje shpk", OUT_OF_SCOPE, "out_of_scope.business"),
    ("How do I register my one-person plumbing business?", OUT_OF_SCOPE, "out_of_scope.business"),
    ("Kush e regjistron një parti politike të re?", OUT_OF_SCOPE, "out_of_scope.political_party"),
    ("can our sports club become a political party", OUT_OF_SCOPE, "out_of_scope.political_party"),
    ("a paguj tatim per rrogen qe e marr prej firmes private", OUT_OF_SCOPE, "out_of_scope.tax_private"),
    ("Where do I pay the property tax for my flat?", OUT_OF_SCOPE, "out_of_scope.tax_private"),
    ("si regjistrohet sindikata e punetoreve te ndertimit", OUT_OF_SCOPE, "out_of_scope.trade_union"),
    ("Is a trade union an NGO under Kosovo law?", OUT_OF_SCOPE, "out_of_scope.trade_union"),
    ("a regjistrohet kisha katolike e qytetit si shoqate", OUT_OF_SCOPE, "out_of_scope.religious_community"),
    ("Does the Islamic community need NGO registration for its mosques?", OUT_OF_SCOPE, "out_of_scope.religious_community"),
    ("how do I get a tourist visa for Canada", OUT_OF_SCOPE, None),
    ("how do I register our NGO", "registration.how", None),
    ("si ta regjistrojme shoqaten tone", "registration.how", None),
    ("Does our NGO have to register for VAT when it buys with EU money?", "reporting.vat", None),
])
def test_near_misses_are_refused_with_their_pointer(classifier, text, topic, pointer):
    decision = classifier.classify(text).decision
    assert (decision.topic, decision.pointer) == (topic, pointer)


@pytest.mark.parametrize("language, text", [("sq", "si ta hap nje shpk"), ("en", "how do i open an llc")])
def test_the_business_pointer_reaches_the_reply(classifier, kb, language, text):
    texts = ResponseTexts(yaml.safe_load((PROJECT_ROOT / "domain" / "responses.yml").read_text())["responses"])
    result = classifier.classify(text)
    reply = compose(result.decision, language, kb, texts)[0]
    assert "arbk.rks-gov.net" in reply.text and reply.buttons[0]["payload"] == "/handoff.request"
