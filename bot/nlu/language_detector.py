"""Rasa component: detects the language (sq/en) of each message.

Sets `language` and `language_confidence` on the message (both reach the parse
result, and so the tracker). Training examples carry their language as intent
metadata, generated from knowledge/; those labels are kept during training.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.detect import LanguageModel
from bot.nlu import storage

LANGUAGE = "language"
LANGUAGE_CONFIDENCE = "language_confidence"


def labelled_language(message: Message) -> Optional[str]:
    """The language a training example was written in, from its metadata."""
    metadata = message.get(METADATA) or {}
    return (metadata.get(METADATA_INTENT) or {}).get(LANGUAGE)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C of the logistic regression; chosen in `make eval` (see BENCHMARKS.md).
        return {"C": 10.0}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[LanguageModel] = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageDetector":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LanguageDetector":
        model = LanguageModel(storage.load(model_storage, resource, "vectorizer"),
                              storage.load(model_storage, resource, "classifier"))
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        labelled = [(m.get(TEXT), labelled_language(m)) for m in training_data.training_examples]
        labelled = [(text, lang) for text, lang in labelled if text and lang]
        if len({lang for _, lang in labelled}) < 2:
            raise ValueError("LanguageDetector needs examples in both languages, with metadata 'language'")
        texts, languages = zip(*labelled)
        self._model = LanguageModel.train(texts, languages, c=self._config["C"])
        storage.save(self._storage, self._resource,
                     {"vectorizer": self._model.vectorizer, "classifier": self._model.classifier})
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            if message.get(TEXT):
                language = labelled_language(message)
                if language:
                    message.set(LANGUAGE, language)
                    message.set(LANGUAGE_CONFIDENCE, 1.0)
                else:
                    self._detect([message])
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._detect([m for m in messages if m.get(TEXT)])
        return messages

    def _detect(self, messages: List[Message]) -> None:
        if self._model is None or not messages:
            return
        for message, (language, confidence) in zip(messages, self._model.predict([m.get(TEXT) for m in messages])):
            message.set(LANGUAGE, language, add_to_output=True)
            message.set(LANGUAGE_CONFIDENCE, round(confidence, 4), add_to_output=True)
