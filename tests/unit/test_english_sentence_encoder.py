import numpy as np
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.english_sentence_encoder import EnglishSentenceEncoder, embed
from bot.nlu.language_detector import LANGUAGE


def test_paraphrases_are_closer_than_other_questions():
    register, set_up, report = embed(["How do I register an NGO?",
                                      "What are the steps to set up an association legally?",
                                      "When is the annual financial report due?"])
    assert register @ set_up > register @ report + 0.1
    np.testing.assert_allclose(np.linalg.norm(register), 1.0, rtol=1e-5)


def test_only_messages_in_the_configured_languages_get_a_sentence_vector():
    english = Message({TEXT: "how do i change our board members", LANGUAGE: "en"})
    albanian = Message({TEXT: "si ta ndryshojmë bordin", LANGUAGE: "sq"})
    encoder = EnglishSentenceEncoder({**EnglishSentenceEncoder.get_default_config()}, "encoder")
    encoder.process([english, albanian, Message({TEXT: "", LANGUAGE: "en"})])
    _, sentence = english.get_dense_features(TEXT)
    assert sentence is not None and sentence.features.shape == (1, 384)
    assert albanian.get_dense_features(TEXT) == (None, None)


def test_unlabelled_messages_count_as_the_default_language():
    config = EnglishSentenceEncoder.get_default_config()
    unlabelled, without_default = Message({TEXT: "book a flight"}), Message({TEXT: "book a flight"})
    EnglishSentenceEncoder({**config, "default_language": "en"}, "encoder").process([unlabelled])
    EnglishSentenceEncoder(config, "encoder").process([without_default])
    assert unlabelled.get_dense_features(TEXT)[1] is not None
    assert without_default.get_dense_features(TEXT) == (None, None)
