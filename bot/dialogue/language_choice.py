"""Which language the bot replies in.

Detection decides per message when it is sure; a message too short to tell
("ok", "PADOR?") keeps the conversation's language; an explicit switch wins
and holds until the user asks for the other language.
"""
from __future__ import annotations

from typing import Optional

DEFAULT_LANGUAGE = "sq"
SUPPORTED = ("sq", "en")
# Below this detector confidence a message does not change the conversation's language.
DETECTION_CONFIDENCE = 0.75


def reply_language(
    detected: Optional[str],
    confidence: float,
    current: Optional[str],
    locked: bool,
    hint: Optional[str] = None,
) -> str:
    """`hint` is the channel's first guess (Telegram language_code, widget page)."""
    remembered = current if current in SUPPORTED else (hint if hint in SUPPORTED else None)
    if locked and remembered:
        return remembered
    if detected in SUPPORTED and (confidence >= DETECTION_CONFIDENCE or not remembered):
        return detected
    return remembered or DEFAULT_LANGUAGE
