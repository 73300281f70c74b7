"""Typed view of the knowledge base: articles and the non-article intents.

Both kinds share the same example format: questions per language, grouped by
writing style, so that evaluation can report accuracy per style.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

LANGUAGES = ("sq", "en")
# The out-of-scope intent, and the prefix of its groups (out_of_scope.business, ...): near
# misses that are refused like it, with a pointer to the office that handles them.
OUT_OF_SCOPE = "out_of_scope"
STYLES = {
    "sq": ("standard", "no_diacritics", "gheg", "code_mixed"),
    "en": ("standard", "informal"),
}


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    style: str

    @property
    def style_label(self) -> str:
        """Style name unique across languages, as used in evaluation reports."""
        return f"en_{self.style}" if self.language == "en" else self.style


@dataclass(frozen=True)
class Source:
    title: str
    url: str


def is_out_of_scope(intent_id: str) -> bool:
    return intent_id == OUT_OF_SCOPE or intent_id.startswith(OUT_OF_SCOPE + ".")


@dataclass(frozen=True)
class Pointer:
    """Where an out-of-scope group should turn instead, in both languages, with its sources."""

    text: Dict[str, str]
    sources: Tuple[Source, ...]
    last_checked: Optional[dt.date]


@dataclass(frozen=True)
class Intent:
    """Something a user can mean: an article id, or a chitchat/handoff/... id."""

    id: str
    examples: Tuple[Example, ...]

    def examples_in(self, language: str) -> List[Example]:
        return [e for e in self.examples if e.language == language]


@dataclass(frozen=True)
class Article(Intent):
    topic: str = ""
    title: Dict[str, str] = field(default_factory=dict)
    answer: Dict[str, str] = field(default_factory=dict)
    more: Dict[str, str] = field(default_factory=dict)
    sources: Tuple[Source, ...] = ()
    last_checked: Optional[dt.date] = None
    related: Tuple[str, ...] = ()
