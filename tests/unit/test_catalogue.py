"""The interface texts: both languages have every text, with the same placeholders."""
import re
from pathlib import Path

import pytest

from bot.gateway.catalogue import LANGUAGES, catalogue, text

BOT = Path(__file__).resolve().parents[2] / "bot"


def flatten(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from flatten(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), node


def test_albanian_and_english_have_the_same_texts_and_placeholders():
    sq, en = (dict(flatten(catalogue(language))) for language in LANGUAGES)
    assert sq.keys() == en.keys()
    for key in sq:
        assert set(re.findall(r"{\w+}", sq[key])) == set(re.findall(r"{\w+}", en[key])), key
        assert sq[key].strip() and sq[key] != en[key] or key.startswith("demo.other"), key


# Catalogue keys named in the code ("gateway.log" is a file name, not a key).
NAMED = {m for path in BOT.rglob("*.py") for m in re.findall(r'"((?:gateway|telegram)\.[a-z_]+)"', path.read_text())}


@pytest.mark.parametrize("key", sorted(NAMED - {"gateway.log"}))
def test_every_text_the_code_names_exists(key):
    for language in LANGUAGES:
        node = catalogue(language)
        for part in key.split("."):
            node = node[part]
        assert isinstance(node, str) and node.strip()


def test_an_unknown_language_falls_back_to_albanian():
    assert text("de", "gateway.one_moment") == text("sq", "gateway.one_moment")
