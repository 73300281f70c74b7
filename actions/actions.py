"""The one custom action: every user message ends here (see data/rules/respond.yml).

Thin on purpose: reads the tracker, lets bot.dialogue decide and compose, and
returns the replies and slot events.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.replies import ResponseTexts
from bot.dialogue.turn import take_turn
from bot.knowledge.loader import KnowledgeBase, load_knowledge


@functools.lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    return load_knowledge()


class ActionRespond(Action):
    def name(self) -> Text:
        return "action_respond"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        parse = tracker.latest_message or {}
        hint = (parse.get("metadata") or {}).get("language")
        turn = take_turn(parse, tracker.current_slot_values(), knowledge(),
                         ResponseTexts(domain.get("responses", {})), hint_language=hint)
        for reply in turn.replies:
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons, json_message=reply.custom)
        # Only what changed: every event is stored and re-sent with the tracker on later turns.
        return [SlotSet(name, value) for name, value in turn.slots.items() if tracker.get_slot(name) != value]
