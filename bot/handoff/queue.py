"""States of a handoff ticket and the only ways it moves between them.

Pure values in, new values out: `apply` returns the next ticket and the `Transition`
to store; persistence keeps both, and `replay` of the stored transitions gives the
same ticket again (both go through `_advance`, so they cannot disagree).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Iterable, Mapping, Optional, Tuple


class State(str, Enum):
    WAITING = "waiting"      # in the queue for a person
    ASSIGNED = "assigned"    # an agent holds it and chats live
    OFFLINE = "offline"      # left outside business hours with a contact; staff answer later
    RESOLVED = "resolved"
    CANCELLED = "cancelled"  # the user went back to the bot
    RETURNED = "returned"    # staff handed the conversation back to the bot


FINAL = frozenset({State.RESOLVED, State.CANCELLED, State.RETURNED})


class Event(str, Enum):
    OPEN = "open"
    LEAVE_OFFLINE = "leave_offline"
    CLAIM = "claim"
    TRANSFER = "transfer"
    HAND_BACK = "hand_back"
    RESOLVE = "resolve"
    CANCEL = "cancel"
    RELEASE = "release"


# From which states each event may start (None: there is no ticket yet) ...
ALLOWED: Mapping[Event, frozenset[Optional[State]]] = MappingProxyType({
    Event.OPEN: frozenset({None}),
    Event.LEAVE_OFFLINE: frozenset({None, State.WAITING}),
    Event.CLAIM: frozenset({State.WAITING, State.OFFLINE}),
    Event.TRANSFER: frozenset({State.ASSIGNED}),
    Event.HAND_BACK: frozenset({State.ASSIGNED}),
    Event.RESOLVE: frozenset({State.ASSIGNED, State.OFFLINE}),
    Event.CANCEL: frozenset({State.WAITING, State.ASSIGNED, State.OFFLINE}),
    Event.RELEASE: frozenset({State.ASSIGNED}),
})

# ... and where it leads.
TARGET: Mapping[Event, State] = MappingProxyType({
    Event.OPEN: State.WAITING,
    Event.LEAVE_OFFLINE: State.OFFLINE,
    Event.CLAIM: State.ASSIGNED,
    Event.TRANSFER: State.ASSIGNED,
    Event.HAND_BACK: State.RETURNED,
    Event.RESOLVE: State.RESOLVED,
    Event.CANCEL: State.CANCELLED,
    Event.RELEASE: State.WAITING,
})

# Who may cause each event; agents are further limited by `_check_holder`.
ACTOR_KINDS: Mapping[Event, frozenset[str]] = MappingProxyType({
    Event.OPEN: frozenset({"user", "bot", "system"}),
    Event.LEAVE_OFFLINE: frozenset({"user", "bot", "system"}),
    Event.CLAIM: frozenset({"agent"}),
    Event.TRANSFER: frozenset({"agent"}),
    Event.HAND_BACK: frozenset({"agent"}),
    Event.RESOLVE: frozenset({"agent"}),
    Event.CANCEL: frozenset({"user"}),
    Event.RELEASE: frozenset({"agent"}),
})

# Events that touch a held conversation: only its holder or an admin.
HOLDER_ONLY = frozenset({Event.TRANSFER, Event.HAND_BACK, Event.RESOLVE, Event.RELEASE})

KINDS = ("user", "bot", "agent", "system")
ROLES = ("agent", "admin")
_KIND_NAMES = {"user": "the user", "bot": "the bot", "agent": "an agent", "system": "the system"}


class IllegalTransition(ValueError):
    """The event does not apply to the ticket's state, or this actor may not cause it."""


@dataclass(frozen=True)
class Actor:
    kind: str
    name: str = ""
    role: Optional[str] = None  # only for agents; None counts as a plain agent

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if self.role is not None and (self.kind != "agent" or self.role not in ROLES):
            raise ValueError(f"role {self.role!r} is not valid for {self.kind!r}; agents have role agent or admin")
        if self.kind == "agent" and (not self.name or ":" in self.name):
            raise ValueError(f"an agent needs a name without ':', got {self.name!r}")

    @classmethod
    def user(cls, name: str = "") -> "Actor":
        return cls("user", name)

    @classmethod
    def bot(cls) -> "Actor":
        return cls("bot")

    @classmethod
    def system(cls) -> "Actor":
        return cls("system")

    @classmethod
    def agent(cls, name: str, *, admin: bool = False) -> "Actor":
        return cls("agent", name, "admin" if admin else "agent")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        """How the actor is stored in a transition: "user", "bot", "system" or "agent:NAME"."""
        return f"agent:{self.name}" if self.kind == "agent" else self.kind


@dataclass(frozen=True)
class Ticket:
    id: Optional[int]  # None until persistence has stored it
    conversation_id: int
    state: State
    agent: Optional[str]  # who holds it (or held it, once final)
    reason: str
    language: Optional[str]
    topic: Optional[str]
    opened_at: datetime
    updated_at: datetime
    contact: Optional[str] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", State(self.state))  # accepts the stored text too


@dataclass(frozen=True)
class Transition:
    ticket_id: Optional[int]  # None for an unsaved ticket; persistence fills it in
    event: Event
    from_state: Optional[State]
    to_state: State
    actor: str
    at: datetime
    to_agent: Optional[str] = None
    note: Optional[str] = None
    # What the event brought with it, so that `replay` needs nothing else.
    conversation_id: Optional[int] = None
    reason: Optional[str] = None
    language: Optional[str] = None
    topic: Optional[str] = None
    contact: Optional[str] = None

    def __post_init__(self) -> None:
        # Rows read back from the database carry plain text.
        object.__setattr__(self, "event", Event(self.event))
        object.__setattr__(self, "to_state", State(self.to_state))
        if self.from_state is not None:
            object.__setattr__(self, "from_state", State(self.from_state))


def apply(ticket: Optional[Ticket], event: Event, actor: Actor, now: datetime, *,
          to_agent: Optional[str] = None, contact: Optional[str] = None, note: Optional[str] = None,
          conversation_id: Optional[int] = None, reason: Optional[str] = None,
          language: Optional[str] = None, topic: Optional[str] = None) -> Tuple[Ticket, Transition]:
    """The ticket after `event`, and the transition to store.

    `open` (and `leave_offline` without a ticket) need `conversation_id` and `reason`;
    `leave_offline` needs a `contact` unless the ticket has one; `transfer` needs `to_agent`.
    """
    event = Event(event)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"{event.value}: now must be timezone-aware, got {now.isoformat()}")
    _check_state(ticket, event)
    _check_actor(ticket, event, actor)
    if to_agent is not None and event is not Event.TRANSFER:
        raise ValueError(f"{event.value}: to_agent is only for transfer")
    if contact is not None and event not in (Event.OPEN, Event.LEAVE_OFFLINE):
        raise ValueError(f"{event.value}: a contact is only taken by open or leave_offline")

    opening = ticket is None
    if opening and (conversation_id is None or not reason):
        raise ValueError(f"{event.value}: a new ticket needs conversation_id and reason")
    if not opening and any(v is not None for v in (conversation_id, reason, language, topic)):
        raise ValueError(f"{event.value}: conversation_id, reason, language and topic are set when the ticket opens")
    if event is Event.LEAVE_OFFLINE and not (contact or (ticket and ticket.contact)):
        raise ValueError("leave_offline: needs a contact so staff can answer later")
    if event is Event.TRANSFER:
        if not to_agent or ":" in to_agent:
            raise ValueError(f"transfer: needs to_agent, the name of the agent to take over, got {to_agent!r}")
        if to_agent == ticket.agent:
            raise IllegalTransition(f"cannot transfer a ticket to {to_agent}, who already holds it")

    transition = Transition(
        ticket_id=None if opening else ticket.id, event=event, from_state=None if opening else ticket.state,
        to_state=TARGET[event], actor=actor.label, at=now, to_agent=to_agent, note=note,
        conversation_id=conversation_id, reason=reason, language=language, topic=topic, contact=contact)
    return _advance(ticket, transition), transition


def allowed_events(ticket: Optional[Ticket], actor: Actor) -> Tuple[Event, ...]:
    """The events this actor may cause now, in a stable order (the console's buttons)."""
    allowed = []
    for event in Event:
        try:
            _check_state(ticket, event)
            _check_actor(ticket, event, actor)
        except IllegalTransition:
            continue
        allowed.append(event)
    return tuple(allowed)


def replay(transitions: Iterable[Transition]) -> Optional[Ticket]:
    """The ticket rebuilt from its stored transitions, oldest first (None for no history).

    Permissions are not checked again (the actor's role is not stored), but every step
    must start from the state the previous one left, or ValueError says where it breaks.
    """
    ticket: Optional[Ticket] = None
    for number, transition in enumerate(transitions, 1):
        current = ticket.state if ticket else None
        if transition.from_state != current or current not in ALLOWED[transition.event] \
                or transition.to_state != TARGET[transition.event]:
            raise ValueError(f"history step {number} ({transition.event.value}: "
                             f"{_name(transition.from_state)} -> {transition.to_state.value}) "
                             f"does not follow from {_name(current)}")
        if ticket and None not in (ticket.id, transition.ticket_id) and ticket.id != transition.ticket_id:
            raise ValueError(f"history step {number} belongs to ticket {transition.ticket_id}, not {ticket.id}")
        ticket = _advance(ticket, transition)
    return ticket


def _advance(ticket: Optional[Ticket], t: Transition) -> Ticket:
    if ticket is None:
        return Ticket(id=t.ticket_id, conversation_id=t.conversation_id, state=t.to_state, agent=None,
                      reason=t.reason, language=t.language, topic=t.topic, opened_at=t.at, updated_at=t.at,
                      contact=t.contact)
    if t.event is Event.CLAIM:
        agent = _agent_name(t.actor)
    elif t.event is Event.TRANSFER:
        agent = t.to_agent
    elif t.event is Event.RELEASE:
        agent = None
    elif t.event is Event.RESOLVE and ticket.agent is None:  # an offline ticket: whoever answered it
        agent = _agent_name(t.actor)
    else:
        agent = ticket.agent
    return replace(ticket, id=ticket.id if ticket.id is not None else t.ticket_id, state=t.to_state,
                   agent=agent, updated_at=t.at, contact=t.contact or ticket.contact)


def _check_state(ticket: Optional[Ticket], event: Event) -> None:
    current = ticket.state if ticket else None
    if current not in ALLOWED[event]:
        subject = "a ticket that does not exist yet" if current is None else f"a ticket that is {current.value}"
        raise IllegalTransition(f"cannot {event.value} {subject}; {_applies_to(event)}")


def _check_actor(ticket: Optional[Ticket], event: Event, actor: Actor) -> None:
    kinds = ACTOR_KINDS[event]
    if actor.kind not in kinds:
        who = " or ".join(_KIND_NAMES[k] for k in KINDS if k in kinds)
        raise IllegalTransition(f"{_describe(actor)} cannot {event.value} a ticket; only {who} can")
    if event not in HOLDER_ONLY or actor.is_admin:
        return
    if event is Event.RESOLVE and ticket.state is State.OFFLINE:
        return  # nobody holds an offline ticket: any agent may answer it
    if actor.name != ticket.agent:
        raise IllegalTransition(f"{_describe(actor)} cannot {event.value} a ticket held by {ticket.agent}; "
                                f"only the agent holding it or an admin can")


def _applies_to(event: Event) -> str:
    states = ALLOWED[event]
    named = [s.value for s in State if s in states]
    if None in states:
        where = "where there is no ticket yet" + (f" or to {' or '.join(named)} tickets" if named else "")
        return f"{event.value} applies only {where}"
    return f"{event.value} applies to {' or '.join(named)} tickets"


def _describe(actor: Actor) -> str:
    return f"agent {actor.name}" if actor.kind == "agent" else _KIND_NAMES[actor.kind]


def _name(state: Optional[State]) -> str:
    return state.value if state else "no ticket"


def _agent_name(label: str) -> str:
    kind, _, name = label.partition(":")
    if kind != "agent" or not name:
        raise ValueError(f"expected an agent as actor, got {label!r}")
    return name
