"""Near-copies between training examples and evaluation questions.

An evaluation question that repeats a training example (up to a few words) measures memory,
not understanding. Candidates come from character n-gram similarity; a pair counts as a
near-copy when the two folded texts are at least `threshold` alike (difflib's ratio).
"""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import List, Sequence, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from bot.language.normalize import fold

NEAR_COPY = 0.85


def near_copies(training: Sequence[str], questions: Sequence[str],
                threshold: float = NEAR_COPY) -> List[Tuple[str, str, float]]:
    """(question, its most similar training example, similarity) for each near-copy."""
    if not training or not questions:
        return []
    folded_training, folded_questions = [fold(t) for t in training], [fold(q) for q in questions]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit(folded_training + folded_questions)
    similarity = linear_kernel(vectorizer.transform(folded_questions), vectorizer.transform(folded_training))
    found = []
    for i, row in enumerate(similarity):
        for j in row.argsort()[::-1][:3]:  # the closest few by n-grams; difflib decides
            ratio = SequenceMatcher(None, folded_questions[i], folded_training[j]).ratio()
            if ratio >= threshold:
                found.append((questions[i], training[j], ratio))
                break
    return found
