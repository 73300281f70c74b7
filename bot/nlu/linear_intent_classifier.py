"""Rasa component: a regularised logistic regression over the sparse features.

On a few thousand short, noisy examples a linear model over word and character
n-grams is as accurate as DIET here (see `make eval`), trains in seconds and
answers in well under a millisecond, with no TensorFlow graph to load.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression

from bot.nlu import action_response_check, storage
from bot.nlu.linear_scores import LinearScores

# The Rasa server imports this module when it loads the model: the place to make its
# check of action server responses cheap (see action_response_check).
action_response_check.install()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Chosen in `make eval` (see BENCHMARKS.md): C is the inverse regularisation.
        return {"C": 10.0, "class_weight": "balanced", "tfidf": True}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 tfidf: Optional[TfidfTransformer] = None, classifier: Optional[LogisticRegression] = None):
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._tfidf = tfidf
        self._classifier = classifier
        self._scores = LinearScores(classifier) if classifier is not None else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource,
                   storage.load(model_storage, resource, "tfidf"), storage.load(model_storage, resource, "classifier"))

    @staticmethod
    def _features(messages: List[Message]) -> sp.csr_matrix:
        rows = []
        for message in messages:
            _, sentence = message.get_sparse_features(TEXT)
            rows.append(sentence.features.tocsr() if sentence is not None else None)
        width = next((r.shape[1] for r in rows if r is not None), 0)
        return sp.vstack([r if r is not None else sp.csr_matrix((1, width)) for r in rows], format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        features = self._features(examples)
        self._tfidf = TfidfTransformer(sublinear_tf=True) if self._config["tfidf"] else None
        if self._tfidf is not None:
            features = self._tfidf.fit_transform(features)
        self._classifier = LogisticRegression(
            C=self._config["C"], class_weight=self._config["class_weight"], max_iter=5000)
        self._classifier.fit(features, [m.get(INTENT) for m in examples])
        self._scores = LinearScores(self._classifier)
        storage.save(self._storage, self._resource, {"tfidf": self._tfidf, "classifier": self._classifier})
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        usable = [m for m in messages if m.get(TEXT) and m.get_sparse_features(TEXT)[1] is not None]
        if self._scores is None or not usable:
            return messages
        features = self._features(usable)
        if self._tfidf is not None:
            features = self._tfidf.transform(features)
        probabilities = self._scores.predict_proba(features)
        names = self._scores.classes
        for message, row in zip(usable, probabilities):
            order = np.argsort(row)[::-1][:LABEL_RANKING_LENGTH]
            ranking = [{"name": str(names[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
