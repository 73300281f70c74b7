from datetime import timedelta

import pytest

from bot.handoff.wait import changed_noticeably, estimate_wait


def minutes(*values):
    return [timedelta(minutes=v) for v in values]


def test_without_history_the_default_handling_time_is_used():
    assert estimate_wait(1, [], agents_online=1) == timedelta(minutes=5)
    assert estimate_wait(3, [], agents_online=1, default=timedelta(minutes=4)) == timedelta(minutes=12)


def test_the_median_ignores_one_very_long_conversation():
    assert estimate_wait(1, minutes(4, 6, 90), agents_online=1) == timedelta(minutes=6)
    assert estimate_wait(1, minutes(4, 6, 8, 90), agents_online=1) == timedelta(minutes=7)


@pytest.mark.parametrize("position,agents,rounds", [(1, 2, 1), (2, 2, 1), (3, 2, 2), (5, 3, 2), (7, 3, 3)])
def test_several_agents_serve_the_queue_in_rounds(position, agents, rounds):
    assert estimate_wait(position, minutes(10), agents_online=agents) == timedelta(minutes=10 * rounds)


def test_with_nobody_online_it_counts_as_one_agent():
    assert estimate_wait(2, minutes(10), agents_online=0) == timedelta(minutes=20)


def test_rounded_up_to_whole_minutes_and_at_least_one():
    assert estimate_wait(1, [timedelta(minutes=3, seconds=1)], agents_online=1) == timedelta(minutes=4)
    assert estimate_wait(1, [timedelta(seconds=20)], agents_online=1) == timedelta(minutes=1)
    assert estimate_wait(1, [timedelta(0)], agents_online=1) == timedelta(minutes=1)
    assert estimate_wait(3, [timedelta(seconds=40)], agents_online=1) == timedelta(minutes=2)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="1-based"):
        estimate_wait(0, [], agents_online=1)
    with pytest.raises(ValueError, match="negative"):
        estimate_wait(1, minutes(-1), agents_online=1)


@pytest.mark.parametrize("old,new,told", [
    (10, 10, False),
    (10, 12, False),  # 2 minutes but 20%
    (10, 13, True),   # 3 minutes and 30%
    (10, 7, True),    # shorter counts too
    (4, 5, False),    # 25% but only 1 minute
    (4, 6, True),     # 2 minutes and 50%
    (40, 48, False),  # 8 minutes but 20%
    (40, 50, True),   # exactly 25%
    (0, 2, True),
])
def test_the_user_is_told_again_only_on_a_real_change(old, new, told):
    assert changed_noticeably(timedelta(minutes=old), timedelta(minutes=new)) is told
