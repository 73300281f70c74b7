"""Which language the bot replies in.

Detection decides per message when it is sure; a message too short to tell
("ok", "PADOR?", "got it") keeps the conversation's language; an explicit switch
wins and holds until the user asks for the other language.
"""
from __future__ import annotations

from typing import Optional

DEFAULT_LANGUAGE = "sq"
SUPPORTED = ("sq", "en")
# Below this detector confidence a message does not change the conversation's language.
DETECTION_CONFIDENCE = 0.75
# Up to this many words a message keeps the language the conversation already has, however sure
# the detector is: on one or two words it is guessing ("ok" scores 0.86 English, "kuptova" 0.63),
# and Albanian speakers type "ok" and "got it" too.
SHORT_MESSAGE_WORDS = 2


def reply_language(
    text: str,
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
    if current in SUPPORTED and len(text.split()) <= SHORT_MESSAGE_WORDS:
        return current
    if detected in SUPPORTED and (confidence >= DETECTION_CONFIDENCE or not remembered):
        return detected
    return remembered or DEFAULT_LANGUAGE
