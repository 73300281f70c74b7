"""Turns a decision into the messages the user sees.

Texts come from domain/responses.yml (small talk, refusals, handoff) and from
knowledge/ (answers); nothing user-facing is written here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from bot.dialogue.decision import CLARIFY, HANDOFF, LANGUAGE_SWITCH, MORE, OUT_OF_SCOPE, Decision, is_article
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.model import Article

MAX_SOURCES_SHOWN = 2
MAX_RELATED_SHOWN = 3
SMALL_TALK = {
    "chitchat.greet": "utter_greet",
    "chitchat.goodbye": "utter_goodbye",
    "chitchat.thanks": "utter_thanks",
    "chitchat.acknowledge": "utter_acknowledge",
    "chitchat.bot_challenge": "utter_bot_challenge",
}


@dataclass
class Reply:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    custom: Optional[Dict[str, Any]] = None


class ResponseTexts:
    """The domain's responses, picked by the `language` slot condition as Rasa does."""

    def __init__(self, responses: Dict[str, List[Dict[str, Any]]]):
        self._responses = responses

    def get(self, name: str, language: str, **values: str) -> Reply:
        variations = self._responses.get(name)
        if not variations:
            raise KeyError(f"response {name!r} is not in the domain")
        chosen = next((v for v in variations if _language_of(v) == language), variations[0])
        return Reply(chosen["text"].format(**values) if values else chosen["text"],
                     [dict(b) for b in chosen.get("buttons", [])])


def _language_of(variation: Dict[str, Any]) -> Optional[str]:
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return condition.get("value")
    return None


def _button(article: Article, language: str) -> Dict[str, str]:
    return {"title": article.title[language], "payload": f"/{article.id}"}


def article_replies(article: Article, language: str, kb: KnowledgeBase, texts: ResponseTexts,
                    more: bool = False) -> List[Reply]:
    """The answer (or its second part) with its source, then related topics as buttons."""
    if more and not article.more.get(language):
        return [texts.get("utter_no_more", language)]
    urls = list(dict.fromkeys(s.url for s in article.sources))[:MAX_SOURCES_SHOWN]
    checked = article.last_checked.isoformat() if article.last_checked else "?"
    source = texts.get("utter_source", language, sources=", ".join(urls), checked=checked).text
    body = article.more[language] if more else article.answer[language]
    replies = [Reply(f"{body}\n\n{source}")]
    buttons = [] if more or not article.more.get(language) else [
        {"title": texts.get("utter_more_button", language).text,
         "payload": f'/{MORE}{{"article": "{article.id}"}}'}]
    related = [kb.articles[r] for r in article.related if r in kb.articles][:MAX_RELATED_SHOWN]
    buttons += [_button(a, language) for a in related]
    if related:
        topics = ", ".join(a.title[language] for a in related)
        replies.append(Reply(texts.get("utter_also_ask", language, topics=topics).text, buttons))
    else:
        replies[0].buttons = buttons
    return replies


def compose(decision: Decision, language: str, kb: KnowledgeBase, texts: ResponseTexts,
            last_article: Optional[str] = None) -> List[Reply]:
    topic = decision.topic
    if is_article(topic) and topic in kb.articles:
        return article_replies(kb.articles[topic], language, kb, texts, more=decision.more)
    if topic == CLARIFY:
        reply = texts.get("utter_clarify", language)
        reply.buttons = [_button(kb.articles[c], language) for c in decision.candidates if c in kb.articles]
        reply.buttons.append({"title": texts.get("utter_clarify_none", language).text, "payload": f"/{OUT_OF_SCOPE}"})
        return [reply]
    if topic == HANDOFF:
        name = "utter_handoff_after_failures" if decision.handoff_reason == "failed_attempts" else "utter_handoff"
        reply = texts.get(name, language)
        reply.custom = {"handoff": {"reason": decision.handoff_reason, "language": language,
                                    "last_article": last_article}}
        return [reply]
    if topic == LANGUAGE_SWITCH:
        return [texts.get("utter_language_switched", language)]
    if topic in SMALL_TALK:
        return [texts.get(SMALL_TALK[topic], language)]
    return [_refusal(decision, language, kb, texts)]


def _refusal(decision: Decision, language: str, kb: KnowledgeBase, texts: ResponseTexts) -> Reply:
    """Not something the bot helps with; for a near miss, where to turn instead; then the topics and a person."""
    parts = [texts.get("utter_out_of_scope", language).text]
    pointer = kb.pointers.get(decision.pointer)
    if pointer:
        parts.append(pointer.text[language])
    offer = texts.get("utter_out_of_scope_offer", language)
    return Reply("\n\n".join([*parts, offer.text]), offer.buttons)
