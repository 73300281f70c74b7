import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from bot.nlu.linear_scores import LinearScores


def _data(classes):
    rng = np.random.default_rng(0)
    features = sp.random(60, 500, density=0.05, format="csr", random_state=1)
    labels = rng.integers(0, classes, size=60)
    return features, labels


def test_multiclass_probabilities_equal_sklearn():
    features, labels = _data(5)
    classifier = LogisticRegression(C=10, max_iter=2000).fit(features, labels)
    np.testing.assert_allclose(LinearScores(classifier).predict_proba(features), classifier.predict_proba(features),
                               rtol=1e-9, atol=1e-12)


def test_binary_probabilities_equal_sklearn():
    features, labels = _data(2)
    classifier = LogisticRegression(C=10, max_iter=2000).fit(features, labels)
    scores = LinearScores(classifier)
    np.testing.assert_allclose(scores.predict_proba(features), classifier.predict_proba(features), rtol=1e-9)
    assert list(scores.classes) == list(classifier.classes_)
