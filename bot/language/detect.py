"""Albanian/English detection for one chat message.

A linear model over character n-grams (which catch "ë", "sh", "gj", "-imi"), with
two more signals from spaCy's stop-word lists for the short messages where
n-grams say little ("a duhet?", "and how long?"). It is trained on the bot's own
examples, whose language is known.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.language.normalize import fold
from bot.language.spacy_data import stop_words
from bot.nlu.linear_scores import LinearScores

LANGUAGES = ("sq", "en")


def _stop_share(text: str, language: str) -> float:
    words = fold(text).split()
    return sum(w.strip("?!.,") in stop_words(language) for w in words) / len(words) if words else 0.0


def _features(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    ngrams = vectorizer.transform(texts)
    stop = np.array([[_stop_share(t, lang) for lang in LANGUAGES] for t in texts])
    return sp.hstack([ngrams, sp.csr_matrix(stop)], format="csr")


class LanguageModel:
    def __init__(self, vectorizer: TfidfVectorizer, classifier: LogisticRegression):
        """Both fitted (by `train`, or loaded from a model)."""
        self.vectorizer = vectorizer
        self.classifier = classifier
        self._scores = LinearScores(classifier)

    @classmethod
    def train(cls, texts: Sequence[str], languages: Sequence[str], c: float = 10.0) -> "LanguageModel":
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, lowercase=True)
        vectorizer.fit(texts)
        classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        classifier.fit(_features(vectorizer, texts), list(languages))
        return cls(vectorizer, classifier)

    def predict(self, texts: Sequence[str]) -> List[Tuple[str, float]]:
        """(language, probability) for each text."""
        if not texts:
            return []
        probabilities = self._scores.predict_proba(_features(self.vectorizer, texts))
        classes = list(self._scores.classes)
        return [(classes[int(row.argmax())], float(row.max())) for row in probabilities]
