"""Tickets on SQLite and PostgreSQL: transitions stored and replayable, the claim race decided by the database."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff.queue import FINAL, Actor, Event, IllegalTransition, State, replay
from bot.store.models import ACTIVE_STATES
from bot.store.database import create_engine_for, session_factory
from bot.store.tickets import TicketConflict, Tickets

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(database_url, transcripts):
    engine = create_engine_for(database_url)
    yield Tickets(session_factory(engine)), transcripts
    engine.dispose()


def test_a_ticket_moves_through_its_states_and_its_history_replays(store):
    tickets, transcripts = store
    conversation = transcripts.open_conversation("widget", "t1", "sq")
    ticket = tickets.open(conversation.id, "request", "sq", "pbs.apply", NOW)
    assert tickets.open(conversation.id, "request", "sq", None, NOW).id == ticket.id  # one active ticket
    tickets.move(ticket.id, Event.CLAIM, Actor.agent("ana"), NOW + timedelta(minutes=3))
    tickets.move(ticket.id, Event.TRANSFER, Actor.agent("ana"), NOW + timedelta(minutes=4), to_agent="besa")
    final = tickets.move(ticket.id, Event.RESOLVE, Actor.agent("besa"), NOW + timedelta(minutes=9))
    assert (final.state, final.agent) == (State.RESOLVED, "besa")
    history = tickets.history(ticket.id)
    assert [(t.event, t.actor) for t in history] == [
        (Event.OPEN, "bot"), (Event.CLAIM, "agent:ana"), (Event.TRANSFER, "agent:ana"), (Event.RESOLVE, "agent:besa")]
    assert replay(history) == tickets.get(ticket.id)
    assert tickets.active(conversation.id) is None
    assert tickets.recent_handling() == [timedelta(minutes=9)]


def test_illegal_moves_are_refused_and_change_nothing(store):
    tickets, transcripts = store
    ticket = tickets.open(transcripts.open_conversation("telegram", "5").id, "failed_attempts", "en", None, NOW)
    with pytest.raises(IllegalTransition, match="cannot resolve"):
        tickets.move(ticket.id, Event.RESOLVE, Actor.agent("ana"), NOW)
    assert tickets.get(ticket.id).state == State.WAITING and len(tickets.history(ticket.id)) == 1


def test_the_queue_is_oldest_first(store):
    tickets, transcripts = store
    ids = [tickets.open(transcripts.open_conversation("widget", f"q{n}").id, "request", "sq", None,
                        NOW + timedelta(minutes=n)).id for n in range(3)]
    assert [t.id for t in tickets.waiting()] == ids and tickets.position(ids[2]) == 3
    tickets.move(ids[0], Event.CLAIM, Actor.agent("ana"), NOW)
    assert tickets.position(ids[2]) == 2 and tickets.position(ids[0]) is None


def test_two_staff_claiming_at_once_exactly_one_wins(store):
    tickets, transcripts = store
    for round_ in range(5):
        ticket = tickets.open(transcripts.open_conversation("widget", f"race{round_}").id, "request", "sq", None, NOW)
        start, results = threading.Barrier(4), []

        def claim(agent):
            start.wait()
            try:
                results.append(tickets.move(ticket.id, Event.CLAIM, Actor.agent(agent), NOW).agent)
            except (TicketConflict, IllegalTransition) as lost:
                results.append(type(lost).__name__)

        threads = [threading.Thread(target=claim, args=(name,)) for name in ("ana", "besa", "drita", "eri")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        winners = [r for r in results if r in ("ana", "besa", "drita", "eri")]
        assert len(results) == 4 and len(winners) == 1, results
        assert tickets.get(ticket.id).agent == winners[0]
        assert [t.event for t in tickets.history(ticket.id)] == [Event.OPEN, Event.CLAIM]


def test_the_table_and_the_domain_agree_on_which_states_are_active():
    assert set(ACTIVE_STATES) == {state.value for state in State if state not in FINAL}
