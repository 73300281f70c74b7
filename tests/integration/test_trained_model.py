"""The trained model, loaded once, as `helpdesk classify` uses it."""
import pytest

from bot.dialogue.classifier import Classifier
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
