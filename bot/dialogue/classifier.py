"""Loads a trained model once and classifies messages as the bot would (first message)."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict

from bot.dialogue.decision import Decision
from bot.dialogue.turn import choose_language, decide_for
from bot.knowledge.loader import KnowledgeBase, load_knowledge


@dataclass
class Classification:
    decision: Decision
    language: str

    def as_json(self, text: str, pointer: bool = False) -> Dict[str, Any]:
        """The `helpdesk classify` contract; `pointer` adds the out-of-scope group whose pointer is shown."""
        result = {
            "text": text,
            "topic": self.decision.topic,
            "language": self.language,
            "confidence": round(self.decision.confidence, 4),
            "candidates": list(self.decision.candidates),
        }
        return {**result, "pointer": self.decision.pointer} if pointer else result


class Classifier:
    def __init__(self, agent: Any, kb: KnowledgeBase):
        self._agent = agent
        self._kb = kb
        self._loop = asyncio.new_event_loop()

    @classmethod
    def load(cls, model: str = "models") -> "Classifier":
        from rasa.core.agent import Agent
        from rasa.model import get_latest_model
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)  # Rasa logs each parse at DEBUG to stdout otherwise

        path = Path(model)
        model_file = get_latest_model(str(path)) if path.is_dir() else str(path)
        if not model_file:
            raise SystemExit(f"No trained model in {model!r}; run `make train` first.")
        return cls(Agent.load(model_file), load_knowledge())

    def parse(self, text: str) -> Dict[str, Any]:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def classify(self, text: str) -> Classification:
        parse = self.parse(text)
        decision = decide_for(parse, self._kb)
        language, _ = choose_language(decision, parse, slots={})
        return Classification(decision, language)
