import pytest

from bot.dialogue.language_choice import DEFAULT_LANGUAGE, reply_language


def test_a_confident_detection_decides():
    assert reply_language("how long does it take", "en", 0.95, current="sq", locked=False) == "en"


def test_an_unsure_detection_keeps_the_conversation_language():
    assert reply_language("PADOR registration steps", "en", 0.55, current="sq", locked=False) == "sq"


def test_an_explicit_switch_holds_against_detection():
    assert reply_language("sa zgjat regjistrimi", "sq", 0.99, current="en", locked=True) == "en"


def test_the_channel_hint_is_the_first_guess_for_an_unsure_first_message():
    assert reply_language("PADOR", "sq", 0.5, current=None, locked=False, hint="en") == "en"


def test_without_anything_to_go_on_albanian_is_the_default():
    assert reply_language("", None, 0.0, current=None, locked=False) == DEFAULT_LANGUAGE


@pytest.mark.parametrize("text, detected, confidence", [("ok", "en", 0.86), ("got it", "en", 0.99), ("kuptova", "en", 0.63)])
def test_a_message_of_one_or_two_words_keeps_the_conversation_language(text, detected, confidence):
    assert reply_language(text, detected, confidence, current="sq", locked=False) == "sq"


def test_a_short_first_message_still_decides_when_nothing_is_remembered():
    assert reply_language("hello there", "en", 0.99, current=None, locked=False, hint="sq") == "en"
