"""Rasa component: a regularised logistic regression over the sparse features.

On a few thousand short, noisy examples a linear model over word and character
n-grams is as accurate as DIET here (see `make eval`), trains in seconds and
answers in well under a millisecond, with no TensorFlow graph to load.

Messages that also carry a dense sentence vector (English ones, from
EnglishSentenceEncoder) are decided by a second model over n-grams and vector. One
shared model would lean on the vector for English examples and weaken the English
words that code-mixed Albanian questions rely on (`make eval`: Albanian informal
items 88.1 -> 87.0); two keep the Albanian decisions exactly as they were.
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
        return {"C": 10.0, "class_weight": "balanced", "tfidf": True, "dense_weight": 1.0}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 tfidf: Optional[TfidfTransformer] = None, classifier: Optional[LogisticRegression] = None,
                 dense_classifier: Optional[LogisticRegression] = None):
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._tfidf = tfidf
        self._classifier = classifier
        self._dense_classifier = dense_classifier
        self._scores = LinearScores(classifier) if classifier is not None else None
        self._dense_scores = LinearScores(dense_classifier) if dense_classifier is not None else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource,
                   storage.load(model_storage, resource, "tfidf"), storage.load(model_storage, resource, "classifier"),
                   storage.load(model_storage, resource, "dense_classifier", optional=True))

    @staticmethod
    def _features(messages: List[Message]) -> sp.csr_matrix:
        rows = []
        for message in messages:
            _, sentence = message.get_sparse_features(TEXT)
            rows.append(sentence.features.tocsr() if sentence is not None else None)
        width = next((r.shape[1] for r in rows if r is not None), 0)
        return sp.vstack([r if r is not None else sp.csr_matrix((1, width)) for r in rows], format="csr")

    def _with_vectors(self, features: sp.csr_matrix, vectors: List[np.ndarray]) -> sp.csr_matrix:
        dense = sp.csr_matrix(np.vstack(vectors) * self._config["dense_weight"])
        return sp.hstack([features, dense], format="csr")

    @staticmethod
    def _sentence_vectors(messages: List[Message]) -> List[Optional[np.ndarray]]:
        vectors = []
        for message in messages:
            _, sentence = message.get_dense_features(TEXT)
            vectors.append(sentence.features.reshape(-1) if sentence is not None else None)
        return vectors

    def _fit(self, features: sp.csr_matrix, labels: List[str]) -> LogisticRegression:
        classifier = LogisticRegression(C=self._config["C"], class_weight=self._config["class_weight"], max_iter=5000)
        return classifier.fit(features, labels)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = [m.get(INTENT) for m in examples]
        features = self._features(examples)
        self._tfidf = TfidfTransformer(sublinear_tf=True) if self._config["tfidf"] else None
        if self._tfidf is not None:
            features = self._tfidf.fit_transform(features)
        self._classifier = self._fit(features, labels)
        self._scores = LinearScores(self._classifier)
        saved = {"tfidf": self._tfidf, "classifier": self._classifier}
        vectors = self._sentence_vectors(examples)
        width = next((len(v) for v in vectors if v is not None), 0)
        if width:
            # Examples without a vector (Albanian) keep their n-grams and a zero vector.
            filled = [v if v is not None else np.zeros(width) for v in vectors]
            self._dense_classifier = self._fit(self._with_vectors(features, filled), labels)
            self._dense_scores = LinearScores(self._dense_classifier)
            saved["dense_classifier"] = self._dense_classifier
        storage.save(self._storage, self._resource, saved)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        usable = [m for m in messages if m.get(TEXT) and m.get_sparse_features(TEXT)[1] is not None]
        if self._scores is None or not usable:
            return messages
        features = self._features(usable)
        if self._tfidf is not None:
            features = self._tfidf.transform(features)
        probabilities = self._scores.predict_proba(features)
        vectors = self._sentence_vectors(usable)
        encoded = [i for i, v in enumerate(vectors) if v is not None]
        if self._dense_scores is not None and encoded:
            probabilities[encoded] = self._dense_scores.predict_proba(
                self._with_vectors(features[encoded], [vectors[i] for i in encoded]))
        names = self._scores.classes
        for message, row in zip(usable, probabilities):
            order = np.argsort(row)[::-1][:LABEL_RANKING_LENGTH]
            ranking = [{"name": str(names[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
