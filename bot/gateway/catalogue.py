"""Interface texts of the gateway, widget and Telegram channel: bot/messages/<language>.yml."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict

import yaml

MESSAGES_DIR = Path(__file__).resolve().parent.parent / "messages"
LANGUAGES = ("sq", "en")
DEFAULT_LANGUAGE = "sq"


@functools.lru_cache(maxsize=None)
def catalogue(language: str) -> Dict[str, Any]:
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return yaml.safe_load((MESSAGES_DIR / f"{language}.yml").read_text(encoding="utf-8"))


def text(language: str | None, key: str, **values: Any) -> str:
    """`text("sq", "gateway.one_moment")`; values fill `{placeholders}`."""
    node: Any = catalogue(language or DEFAULT_LANGUAGE)
    for part in key.split("."):
        node = node[part]
    return node.format(**values) if values else node
