"""Language data from spaCy's blank Albanian and English languages (no model download)."""
from __future__ import annotations

import functools

import spacy

from bot.language.normalize import fold


@functools.lru_cache(maxsize=None)
def blank(language: str):
    return spacy.blank(language)


@functools.lru_cache(maxsize=None)
def stop_words(language: str) -> frozenset:
    """spaCy's stop words for `language`, folded (no ë/ç) as the classifier sees text."""
    return frozenset(fold(w) for w in blank(language).Defaults.stop_words)
