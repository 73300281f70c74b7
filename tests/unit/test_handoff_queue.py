from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff.queue import (
    ALLOWED, FINAL, TARGET, Actor, Event, IllegalTransition, State, Ticket, Transition, allowed_events, apply,
    replay,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
USER, BOT, SYSTEM = Actor.user(), Actor.bot(), Actor.system()
ANA, BEN, ADMIN = Actor.agent("ana"), Actor.agent("ben"), Actor.agent("dita", admin=True)
NEW = {"conversation_id": 42, "reason": "user_request", "language": "sq", "topic": "registration.how"}


def ticket(state, agent=None, contact=None):
    return Ticket(id=7, conversation_id=42, state=state, agent=agent, reason="user_request", language="sq",
                  topic="registration.how", opened_at=T0, updated_at=T0, contact=contact)


# A ticket in each state, held by ana where someone holds it, and the arguments each event needs.
IN_STATE = {
    None: None,
    State.WAITING: ticket(State.WAITING),
    State.ASSIGNED: ticket(State.ASSIGNED, agent="ana"),
    State.OFFLINE: ticket(State.OFFLINE, contact="ana@example.org"),
    State.RESOLVED: ticket(State.RESOLVED, agent="ana"),
    State.CANCELLED: ticket(State.CANCELLED),
    State.RETURNED: ticket(State.RETURNED, agent="ana"),
}
# One actor that is allowed to cause each event on ana's ticket.
CAUSE = {Event.OPEN: BOT, Event.LEAVE_OFFLINE: USER, Event.CLAIM: ANA, Event.TRANSFER: ANA,
         Event.HAND_BACK: ANA, Event.RESOLVE: ANA, Event.CANCEL: USER, Event.RELEASE: ANA}


def arguments(event, current):
    extra = {"to_agent": "ben"} if event is Event.TRANSFER else {}
    if event is Event.LEAVE_OFFLINE:
        extra["contact"] = "user@example.org"
    return {**NEW, **extra} if current is None else extra


def test_the_table_covers_every_event_and_final_states_lead_nowhere():
    assert set(ALLOWED) == set(TARGET) == set(Event)
    assert all(not (states & FINAL) for states in ALLOWED.values())


@pytest.mark.parametrize("event,current", [(e, s) for e in Event for s in sorted(ALLOWED[e], key=str)])
def test_every_allowed_transition(event, current):
    now = T0 + timedelta(minutes=5)
    after, transition = apply(IN_STATE[current], event, CAUSE[event], now, **arguments(event, current))
    assert after.state is TARGET[event]
    assert (transition.event, transition.from_state, transition.to_state) == (event, current, TARGET[event])
    assert transition.actor == CAUSE[event].label
    assert transition.at == after.updated_at == now
    assert after.conversation_id == 42


NOT_ALLOWED = [(e, s) for e in Event for s in [None, *State] if s not in ALLOWED[e]]


@pytest.mark.parametrize("event,current", NOT_ALLOWED)
def test_every_other_state_and_event_pair_is_refused_with_the_reason(event, current):
    with pytest.raises(IllegalTransition) as refused:
        apply(IN_STATE[current], event, CAUSE[event], T0, **arguments(event, current))
    message = str(refused.value)
    assert message.startswith(f"cannot {event.value} a ticket that ")
    assert (current.value if current else "does not exist yet") in message
    assert f"; {event.value} applies " in message


def test_refusal_names_the_allowed_states():
    with pytest.raises(IllegalTransition, match="^cannot claim a ticket that is resolved; "
                                                "claim applies to waiting or offline tickets$"):
        apply(IN_STATE[State.RESOLVED], Event.CLAIM, ANA, T0)
    with pytest.raises(IllegalTransition, match="open applies only where there is no ticket yet$"):
        apply(IN_STATE[State.WAITING], Event.OPEN, BOT, T0)
    with pytest.raises(IllegalTransition, match="leave_offline applies only where there is no ticket yet "
                                                "or to waiting tickets$"):
        apply(IN_STATE[State.ASSIGNED], Event.LEAVE_OFFLINE, USER, T0, contact="x@example.org")


def test_open_records_the_handoff_and_claim_assigns_the_agent():
    waiting, opened = apply(None, Event.OPEN, BOT, T0, **NEW)
    assert waiting == Ticket(id=None, conversation_id=42, state=State.WAITING, agent=None, reason="user_request",
                             language="sq", topic="registration.how", opened_at=T0, updated_at=T0)
    assert (opened.ticket_id, opened.from_state, opened.actor) == (None, None, "bot")
    assigned, claimed = apply(waiting, Event.CLAIM, ANA, T0 + timedelta(minutes=1))
    assert (assigned.agent, assigned.opened_at, claimed.actor) == ("ana", T0, "agent:ana")


def test_release_puts_it_back_in_the_queue_without_an_agent():
    waiting, _ = apply(IN_STATE[State.ASSIGNED], Event.RELEASE, ANA, T0)
    assert (waiting.state, waiting.agent) == (State.WAITING, None)


def test_transfer_moves_the_ticket_to_the_other_agent():
    moved, transition = apply(IN_STATE[State.ASSIGNED], Event.TRANSFER, ANA, T0, to_agent="ben", note="tax question")
    assert (moved.state, moved.agent, transition.to_agent, transition.note) == (State.ASSIGNED, "ben", "ben",
                                                                                 "tax question")


def test_transfer_to_the_agent_who_holds_it_is_refused():
    with pytest.raises(IllegalTransition, match="cannot transfer a ticket to ana, who already holds it"):
        apply(IN_STATE[State.ASSIGNED], Event.TRANSFER, ADMIN, T0, to_agent="ana")


def test_transfer_needs_a_target_agent():
    with pytest.raises(ValueError, match="needs to_agent"):
        apply(IN_STATE[State.ASSIGNED], Event.TRANSFER, ANA, T0)


@pytest.mark.parametrize("event,actor", [
    (Event.CLAIM, USER), (Event.CLAIM, BOT), (Event.CLAIM, SYSTEM), (Event.CANCEL, ANA), (Event.CANCEL, BOT),
    (Event.RESOLVE, USER), (Event.HAND_BACK, BOT), (Event.OPEN, ANA),
])
def test_actors_of_the_wrong_kind_are_refused(event, actor):
    current = {Event.CLAIM: State.WAITING, Event.OPEN: None}.get(event, State.ASSIGNED)
    with pytest.raises(IllegalTransition, match=f"cannot {event.value} a ticket; only "):
        apply(IN_STATE[current], event, actor, T0, **arguments(event, current))


def test_the_messages_say_who_may_act():
    with pytest.raises(IllegalTransition, match="^the user cannot claim a ticket; only an agent can$"):
        apply(IN_STATE[State.WAITING], Event.CLAIM, USER, T0)
    with pytest.raises(IllegalTransition, match="^agent ana cannot cancel a ticket; only the user can$"):
        apply(IN_STATE[State.WAITING], Event.CANCEL, ANA, T0)


@pytest.mark.parametrize("event", [Event.TRANSFER, Event.HAND_BACK, Event.RESOLVE, Event.RELEASE])
def test_only_the_holder_or_an_admin_acts_on_a_held_ticket(event):
    held = IN_STATE[State.ASSIGNED]
    extra = {"to_agent": "ben"} if event is Event.TRANSFER else {}
    with pytest.raises(IllegalTransition, match=f"^agent ben cannot {event.value} a ticket held by ana; "
                                                "only the agent holding it or an admin can$"):
        apply(held, event, BEN, T0, **extra)
    after, transition = apply(held, event, ADMIN, T0, **extra)
    assert after.state is TARGET[event]
    assert transition.actor == "agent:dita"


def test_an_admin_resolving_keeps_the_holder_on_record():
    resolved, _ = apply(IN_STATE[State.ASSIGNED], Event.RESOLVE, ADMIN, T0)
    assert resolved.agent == "ana"


def test_any_agent_may_resolve_an_offline_ticket_and_is_recorded():
    resolved, _ = apply(IN_STATE[State.OFFLINE], Event.RESOLVE, BEN, T0)
    assert (resolved.state, resolved.agent, resolved.contact) == (State.RESOLVED, "ben", "ana@example.org")


def test_leaving_offline_needs_a_contact():
    with pytest.raises(ValueError, match="needs a contact"):
        apply(IN_STATE[State.WAITING], Event.LEAVE_OFFLINE, USER, T0)
    offline, transition = apply(IN_STATE[State.WAITING], Event.LEAVE_OFFLINE, USER, T0, contact="+383 44 000 000")
    assert offline.contact == transition.contact == "+383 44 000 000"


def test_a_new_ticket_needs_its_conversation_and_reason():
    with pytest.raises(ValueError, match="needs conversation_id and reason"):
        apply(None, Event.OPEN, BOT, T0, reason="user_request")
    with pytest.raises(ValueError, match="set when the ticket opens"):
        apply(IN_STATE[State.WAITING], Event.CLAIM, ANA, T0, topic="other")


def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        apply(None, Event.OPEN, BOT, datetime(2026, 3, 2, 9, 0), **NEW)


def test_actor_values_are_checked():
    with pytest.raises(ValueError):
        Actor("visitor")
    with pytest.raises(ValueError):
        Actor("user", role="admin")
    with pytest.raises(ValueError):
        Actor("agent")  # an agent has a name
    assert (ADMIN.is_admin, ANA.is_admin, Actor("agent", "ana").is_admin) == (True, False, False)


def test_allowed_events_are_the_buttons_to_show():
    held = IN_STATE[State.ASSIGNED]
    assert allowed_events(held, ANA) == (Event.TRANSFER, Event.HAND_BACK, Event.RESOLVE, Event.RELEASE)
    assert allowed_events(held, BEN) == ()
    assert allowed_events(held, ADMIN) == allowed_events(held, ANA)
    assert allowed_events(held, USER) == (Event.CANCEL,)
    assert allowed_events(IN_STATE[State.OFFLINE], BEN) == (Event.CLAIM, Event.RESOLVE)
    assert allowed_events(IN_STATE[State.WAITING], BOT) == (Event.LEAVE_OFFLINE,)
    assert allowed_events(None, BOT) == (Event.OPEN, Event.LEAVE_OFFLINE)
    assert allowed_events(IN_STATE[State.RESOLVED], ADMIN) == ()


def run(steps):
    """Applies (event, actor, arguments) steps a minute apart; stores the ticket after the first as id 7."""
    current, transitions = None, []
    for minute, (event, actor, extra) in enumerate(steps):
        current, transition = apply(current, event, actor, T0 + timedelta(minutes=minute), **extra)
        if current.id is None:  # what persistence does on the first save
            current, transition = replace(current, id=7), replace(transition, ticket_id=7)
        transitions.append(transition)
    return current, transitions


@pytest.mark.parametrize("steps", [
    [(Event.OPEN, BOT, NEW), (Event.CLAIM, ANA, {}), (Event.TRANSFER, ANA, {"to_agent": "ben"}),
     (Event.RELEASE, BEN, {}), (Event.CLAIM, ANA, {}), (Event.RESOLVE, ADMIN, {})],
    [(Event.OPEN, USER, NEW), (Event.LEAVE_OFFLINE, SYSTEM, {"contact": "x@example.org"}),
     (Event.RESOLVE, BEN, {})],
    [(Event.LEAVE_OFFLINE, USER, {**NEW, "contact": "x@example.org"}), (Event.CLAIM, ANA, {}),
     (Event.HAND_BACK, ANA, {"note": "answered; back to the bot"})],
    [(Event.OPEN, BOT, NEW), (Event.CLAIM, ANA, {}), (Event.CANCEL, USER, {})],
])
def test_replaying_the_stored_transitions_gives_the_same_ticket(steps):
    final, transitions = run(steps)
    assert replay(transitions) == final
    assert replay(transitions[:2]) == run(steps[:2])[0]


def test_replay_reads_rows_stored_as_text():
    final, transitions = run([(Event.OPEN, BOT, NEW), (Event.CLAIM, ANA, {})])
    rows = [Transition(**{**vars(t), "event": t.event.value, "to_state": t.to_state.value,
                          "from_state": t.from_state.value if t.from_state else None}) for t in transitions]
    assert replay(rows) == final


def test_replay_of_nothing_is_no_ticket_and_a_broken_history_is_refused():
    assert replay([]) is None
    _, transitions = run([(Event.OPEN, BOT, NEW), (Event.CLAIM, ANA, {}), (Event.RESOLVE, ANA, {})])
    with pytest.raises(ValueError, match="history step 2 .*does not follow from waiting"):
        replay([transitions[0], transitions[2]])
    with pytest.raises(ValueError, match="belongs to ticket 8"):
        replay([transitions[0], replace(transitions[1], ticket_id=8)])
