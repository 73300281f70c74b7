"""One turn of the conversation: parse result + remembered slots -> replies + new slots."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Tuple

from bot.dialogue.decision import LANGUAGE_SWITCH, Context, Decision, Thresholds, decide, is_article
from bot.dialogue.language_choice import reply_language
from bot.dialogue.replies import Reply, ResponseTexts, compose
from bot.knowledge.loader import KnowledgeBase


@dataclass
class Turn:
    decision: Decision
    language: str
    replies: List[Reply]
    slots: Dict[str, Any]


def ranking_of(parse: Dict[str, Any]) -> List[Tuple[str, float]]:
    ranking = parse.get("intent_ranking") or ([parse["intent"]] if parse.get("intent") else [])
    return [(r["name"], float(r.get("confidence") or 0.0)) for r in ranking if r.get("name")]


def decide_for(parse: Dict[str, Any], kb: KnowledgeBase, context: Context = Context(),
               thresholds: Thresholds = Thresholds()) -> Decision:
    """The decision for one parsed message; `helpdesk classify` calls this too."""
    named = next((e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "article"), None)
    if named in kb.articles:  # a "More" button names its article
        context = replace(context, last_article=named)
    return decide(ranking_of(parse), parse.get("text") or "", context,
                  related=lambda article_id: kb.articles[article_id].related if article_id in kb.articles else (),
                  thresholds=thresholds)


def choose_language(decision: Decision, parse: Dict[str, Any], slots: Dict[str, Any],
                    hint_language: Optional[str] = None) -> Tuple[str, bool]:
    """The reply language and whether it is locked by an explicit switch."""
    if decision.topic == LANGUAGE_SWITCH:
        return decision.language_target, True
    locked = bool(slots.get("language_locked"))
    return reply_language(parse.get("text") or "", parse.get("language"), float(parse.get("language_confidence") or 0.0),
                          slots.get("language"), locked, hint_language), locked


def take_turn(parse: Dict[str, Any], slots: Dict[str, Any], kb: KnowledgeBase, texts: ResponseTexts,
              hint_language: Optional[str] = None) -> Turn:
    context = Context(last_article=slots.get("last_article"),
                      failed_attempts=int(slots.get("failed_attempts") or 0))
    decision = decide_for(parse, kb, context)
    language, locked = choose_language(decision, parse, slots, hint_language)
    new_slots = {
        "language": language,
        "language_locked": locked,
        "topic": decision.topic,
        "failed_attempts": float(context.failed_attempts + 1 if decision.is_failure else 0),
        "last_article": decision.topic if is_article(decision.topic) else context.last_article,
    }
    replies = compose(decision, language, kb, texts, last_article=context.last_article)
    # The gateway learns the reply language and topic from this signal (not shown to users).
    last = replies[-1]
    last.custom = {**(last.custom or {}), "turn": {"language": language, "topic": decision.topic}}
    return Turn(decision, language, replies, new_slots)
