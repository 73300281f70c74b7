"""What the bot does with one message: the single decision code.

Used by the running bot (actions/) and by `helpdesk classify`, so the two cannot
disagree. Pure: no Rasa, no I/O. The thresholds were chosen with `make eval`
(see BENCHMARKS.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from bot.knowledge.model import OUT_OF_SCOPE, is_out_of_scope

HANDOFF = "handoff.request"
CLARIFY = "clarify"
LANGUAGE_SWITCH = "language.switch"
# Intents that ask for a language; both are reported as the topic `language.switch`.
LANGUAGE_INTENTS = {"language.to_en": "en", "language.to_sq": "sq"}
FALLBACK_INTENT = "nlu_fallback"
# "More, please": the rest of the last article (or of the one a "More" button names).
MORE = "article.more"
CONVERSATION_PREFIXES = ("chitchat.", "language.", "article.")
# Not understood this many times in a row: a person takes over.
FAILURES_BEFORE_HANDOFF = 2

Ranking = Sequence[Tuple[str, float]]


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.30        # an article (or small talk) is answered from this confidence ...
    margin: float = 0.10        # ... when it leads the next article by at least this much
    candidate: float = 0.10     # articles offered in "did you mean" need this confidence
    max_candidates: int = 3
    followup_words: int = 6     # a message this short may be a follow-up to the last article
    followup_boost: float = 3.0  # weight of articles related to the last one, for follow-ups


@dataclass(frozen=True)
class Context:
    """What the bot remembers of the conversation when it decides."""

    last_article: Optional[str] = None
    failed_attempts: int = 0


@dataclass(frozen=True)
class Decision:
    topic: str
    confidence: float
    candidates: Tuple[str, ...] = ()
    language_target: Optional[str] = None
    handoff_reason: Optional[str] = None  # "user_request" or "failed_attempts"
    more: bool = False  # the article's second part was asked for
    pointer: Optional[str] = None  # the out-of-scope group (out_of_scope.business, ...) whose pointer to add

    @property
    def is_failure(self) -> bool:
        # A refusal with a pointer is not one: the user learnt where to go (two in a row need no person).
        return self.topic == OUT_OF_SCOPE and self.pointer is None


def is_article(intent: str) -> bool:
    return ("." in intent and not intent.startswith(CONVERSATION_PREFIXES) and intent != HANDOFF
            and not is_out_of_scope(intent))


def _follow_up(ranking: Ranking, text: str, context: Context, related: Callable[[str], Iterable[str]],
               thresholds: Thresholds) -> List[Tuple[str, float]]:
    """Re-weights a short message towards the articles that follow the last one."""
    scores = list(ranking)
    if not context.last_article or len(text.split()) > thresholds.followup_words:
        return scores
    near = set(related(context.last_article)) | {context.last_article}
    group = context.last_article.split(".")[0]

    def follows(name: str) -> bool:
        return is_article(name) and (name in near or name.startswith(group + "."))

    weighted = [(name, conf * thresholds.followup_boost if follows(name) else conf) for name, conf in scores]
    total = sum(conf for _, conf in weighted) or 1.0
    return sorted(((name, conf / total) for name, conf in weighted), key=lambda item: -item[1])


def _fold_out_of_scope(scores: List[Tuple[str, float]]) -> Tuple[List[Tuple[str, float]], Optional[str]]:
    """The out-of-scope groups are one class, split only to choose a pointer, so they compete as one:
    business 0.25 + other 0.20 is refused rather than losing to an NGO article at 0.35.
    Returns the folded ranking and the most likely group."""
    groups = [(name, conf) for name, conf in scores if is_out_of_scope(name)]
    if not groups:
        return scores, None
    folded = [(name, conf) for name, conf in scores if not is_out_of_scope(name)]
    folded.append((OUT_OF_SCOPE, sum(conf for _, conf in groups)))
    return sorted(folded, key=lambda item: -item[1]), max(groups, key=lambda item: item[1])[0]


def decide(ranking: Ranking, text: str, context: Context = Context(),
           related: Callable[[str], Iterable[str]] = lambda _: (), thresholds: Thresholds = Thresholds()) -> Decision:
    decision = _decide_topic(ranking, text, context, related, thresholds)
    if decision.is_failure and context.failed_attempts + 1 >= FAILURES_BEFORE_HANDOFF:
        return Decision(HANDOFF, decision.confidence, handoff_reason="failed_attempts")
    return decision


def _decide_topic(ranking: Ranking, text: str, context: Context,
                  related: Callable[[str], Iterable[str]], thresholds: Thresholds) -> Decision:
    scores, group = _fold_out_of_scope(_follow_up(ranking, text, context, related, thresholds))
    if not scores:
        return Decision(OUT_OF_SCOPE, 0.0)
    top, confidence = scores[0]
    articles = [(name, conf) for name, conf in scores if is_article(name)]
    if top in (FALLBACK_INTENT, OUT_OF_SCOPE):
        # A group (a near miss such as registering a business) is refused like the rest, with its pointer.
        # Not understood (fallback): no pointer, the groups are only guesses then.
        pointer = group if top == OUT_OF_SCOPE and group != OUT_OF_SCOPE else None
        return Decision(OUT_OF_SCOPE, confidence, pointer=pointer)
    if not is_article(top):
        if confidence < thresholds.answer:
            return _clarify_or_refuse(articles, confidence, thresholds)
        if top in LANGUAGE_INTENTS:
            return Decision(LANGUAGE_SWITCH, confidence, language_target=LANGUAGE_INTENTS[top])
        if top == HANDOFF:
            return Decision(HANDOFF, confidence, handoff_reason="user_request")
        if top == MORE:
            # Without an article to continue, "more" is not understood.
            return Decision(context.last_article, confidence, more=True) if context.last_article \
                else Decision(OUT_OF_SCOPE, confidence)
        return Decision(top, confidence)
    runner_up = articles[1][1] if len(articles) > 1 else 0.0
    if confidence >= thresholds.answer and confidence - runner_up >= thresholds.margin:
        return Decision(top, confidence)
    return _clarify_or_refuse(articles, confidence, thresholds)


def _clarify_or_refuse(articles: List[Tuple[str, float]], confidence: float, thresholds: Thresholds) -> Decision:
    offered = tuple(name for name, conf in articles[: thresholds.max_candidates] if conf >= thresholds.candidate)
    if len(offered) >= 2:
        return Decision(CLARIFY, confidence, candidates=offered)
    if len(offered) == 1 and confidence >= thresholds.answer:
        return Decision(offered[0], confidence)
    return Decision(OUT_OF_SCOPE, confidence)
