"""The waiting time told to a user in the queue, and when it is worth telling again."""
from __future__ import annotations

from datetime import timedelta
from math import ceil
from statistics import median
from typing import Sequence

MINUTE = timedelta(minutes=1)


def estimate_wait(position: int, recent_handling: Sequence[timedelta], agents_online: int,
                  default: timedelta = timedelta(minutes=5)) -> timedelta:
    """Typical handling time × the rounds of conversations ahead, in whole minutes (at least one).

    `position` is 1-based: the first in the queue still waits one round. The median keeps
    one very long conversation from inflating every estimate. With nobody online the
    estimate is as for one agent: someone is expected back, and "infinite" helps nobody.
    """
    if position < 1:
        raise ValueError(f"position is 1-based, got {position}")
    if any(d < timedelta(0) for d in recent_handling):
        raise ValueError("handling times cannot be negative")
    typical = median(recent_handling) if recent_handling else default
    rounds = ceil(position / max(agents_online, 1))
    return max(_whole_minutes_up(typical * rounds), MINUTE)


def changed_noticeably(old: timedelta, new: timedelta) -> bool:
    """Whether to tell the user again: the estimate moved by at least 2 minutes and 25%."""
    moved = abs(new - old)
    return moved >= 2 * MINUTE and moved * 4 >= old


def _whole_minutes_up(duration: timedelta) -> timedelta:
    return -(-duration // MINUTE) * MINUTE  # timedelta // timedelta is exact, unlike float seconds
