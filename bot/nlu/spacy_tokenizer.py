"""Rasa component: tokenises with spaCy's Albanian or English tokenizer.

spaCy's blank `sq` and `en` languages carry the tokenizer rules and stop-word
lists; no model download is needed. The tokenizer of the message's detected
language is used, on the normalised text when there is one.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language.normalize import fold
from bot.language.spacy_data import blank, stop_words
from bot.nlu.albanian_normalizer import NORMALIZED_TEXT
from bot.nlu.language_detector import LANGUAGE


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyBlankTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **Tokenizer.get_default_config(),
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Drop spaCy's stop words ("si", "the", ...) before featurising.
            "drop_stop_words": False,
            "default_language": "sq",
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._nlp = {lang: blank(lang) for lang in ("sq", "en")}
        self._drop_stop_words = config["drop_stop_words"]
        self._default_language = config["default_language"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpacyBlankTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        if attribute == TEXT and message.get(NORMALIZED_TEXT):
            text = message.get(NORMALIZED_TEXT)
        language = message.get(LANGUAGE) if message.get(LANGUAGE) in self._nlp else self._default_language
        doc = self._nlp[language].make_doc(text)
        tokens = [Token(t.text, t.idx) for t in doc if not t.is_space and not t.is_punct]
        if self._drop_stop_words:
            content = [t for t in tokens if fold(t.text) not in stop_words(language)]
            tokens = content or tokens
        return self._apply_token_pattern(tokens or [Token(text, 0)])
