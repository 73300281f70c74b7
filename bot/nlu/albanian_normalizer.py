"""Rasa component: the normalised form of a message, for the tokenizer.

The user's text itself is left as typed (it is what the transcript keeps); the
folded, Gheg-mapped form is stored beside it as `normalized_text`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.normalize import fold, normalize
from bot.nlu.language_detector import LANGUAGE

NORMALIZED_TEXT = "normalized_text"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class AlbanianNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # gheg: map Gheg forms to standard Albanian (off = fold diacritics only).
        return {"gheg": True}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._gheg = config["gheg"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AlbanianNormalizer":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                normalized = normalize(text, message.get(LANGUAGE)) if self._gheg else fold(text)
                message.set(NORMALIZED_TEXT, normalized)
        return messages
