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
from bot.nlu.linear_scores import LinearScores

LANGUAGES = ("sq", "en")


def _stop_words(language: str) -> frozenset:
    import spacy

    return frozenset(fold(w) for w in spacy.blank(language).Defaults.stop_words)


class LanguageModel:
    def __init__(self, vectorizer: TfidfVectorizer, classifier: LogisticRegression):
        self.vectorizer = vectorizer
        self.classifier = classifier
        self._scores = LinearScores(classifier) if hasattr(classifier, "coef_") else None
        self._stop = {lang: _stop_words(lang) for lang in LANGUAGES}

    @classmethod
    def train(cls, texts: Sequence[str], languages: Sequence[str], c: float = 10.0) -> "LanguageModel":
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, lowercase=True)
        model = cls(vectorizer, LogisticRegression(C=c, max_iter=2000, class_weight="balanced"))
        vectorizer.fit(texts)
        model.classifier.fit(model._features(texts), list(languages))
        model._scores = LinearScores(model.classifier)
        return model

    def _features(self, texts: Sequence[str]) -> sp.csr_matrix:
        ngrams = self.vectorizer.transform(texts)
        stop = np.array([[self._stop_share(t, lang) for lang in LANGUAGES] for t in texts])
        return sp.hstack([ngrams, sp.csr_matrix(stop)], format="csr")

    def _stop_share(self, text: str, language: str) -> float:
        words = fold(text).split()
        return sum(w.strip("?!.,") in self._stop[language] for w in words) / len(words) if words else 0.0

    def predict(self, texts: Sequence[str]) -> List[Tuple[str, float]]:
        """(language, probability) for each text."""
        if not texts:
            return []
        probabilities = self._scores.predict_proba(self._features(texts))
        classes = list(self._scores.classes)
        return [(classes[int(row.argmax())], float(row.max())) for row in probabilities]
