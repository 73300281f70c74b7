"""Tickets and their transitions in SQL. Rules live in bot.handoff.queue; this module only
loads a ticket, lets the domain decide, and writes the result if nobody got there first."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Dict, List, Optional

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.handoff.queue import Actor, Event, State, Ticket, Transition, apply
from bot.store.models import ACTIVE_STATES, Note, Rating, TicketRow, TransitionRow


class TicketConflict(Exception):
    """Someone changed the ticket between our read and our write (e.g. a colleague claimed it first)."""


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(row.id, row.conversation_id, row.state, row.agent, row.reason, row.language, row.topic,
                  row.opened_at, row.updated_at, row.contact)


def _existing(row: Optional[TicketRow], ticket_id: int) -> TicketRow:
    if row is None:
        raise KeyError(f"no ticket {ticket_id}")
    return row


def _transition_row(t: Transition, ticket_id: int) -> TransitionRow:
    return TransitionRow(ticket_id=ticket_id, event=t.event.value, from_state=t.from_state.value if t.from_state else None,
                         to_state=t.to_state.value, actor=t.actor, at=t.at, to_agent=t.to_agent, note=t.note,
                         conversation_id=t.conversation_id, reason=t.reason, language=t.language, topic=t.topic,
                         contact=t.contact)


class Tickets:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    def open(self, conversation_id: int, reason: str, language: Optional[str], topic: Optional[str],
             now: datetime, actor: Actor = Actor.bot(), offline_contact: Optional[str] = None) -> Ticket:
        """A new ticket (waiting; offline, answered later, when a contact is given), or the conversation's
        active one if it already has one."""
        active = self.active(conversation_id)
        if active:
            return active
        event = Event.LEAVE_OFFLINE if offline_contact else Event.OPEN
        ticket, transition = apply(None, event, actor, now, conversation_id=conversation_id, reason=reason,
                                   language=language, topic=topic, contact=offline_contact)
        with self._sessions.begin() as session:
            row = TicketRow(conversation_id=conversation_id, state=ticket.state.value, agent=None, reason=reason,
                            language=language, topic=topic, contact=offline_contact, opened_at=now, updated_at=now,
                            version=1)
            session.add(row)
            session.flush()
            session.add(_transition_row(transition, row.id))
            return replace(ticket, id=row.id)

    def active(self, conversation_id: int) -> Optional[Ticket]:
        with self._sessions() as session:
            row = session.execute(select(TicketRow).where(TicketRow.conversation_id == conversation_id,
                                                          TicketRow.state.in_(ACTIVE_STATES))
                                  .order_by(TicketRow.id.desc()).limit(1)).scalar_one_or_none()
            return _ticket(row) if row else None

    def get(self, ticket_id: int) -> Ticket:
        with self._sessions() as session:
            return _ticket(_existing(session.get(TicketRow, ticket_id), ticket_id))

    def move(self, ticket_id: int, event: Event, actor: Actor, now: datetime, **details) -> Ticket:
        """Applies `event`; raises IllegalTransition (the rules) or TicketConflict (lost a race)."""
        with self._sessions.begin() as session:
            row = _existing(session.get(TicketRow, ticket_id), ticket_id)
            ticket, transition = apply(_ticket(row), event, actor, now, **details)
            written = session.execute(
                update(TicketRow).where(TicketRow.id == ticket_id, TicketRow.version == row.version)
                .values(state=ticket.state.value, agent=ticket.agent, contact=ticket.contact, updated_at=now,
                        version=row.version + 1).execution_options(synchronize_session=False)).rowcount
            if written != 1:
                raise TicketConflict(f"ticket {ticket_id} changed meanwhile; reload and try again")
            session.add(_transition_row(transition, ticket_id))
            return ticket

    def waiting(self) -> List[Ticket]:
        """The queue, oldest first."""
        with self._sessions() as session:
            return [_ticket(r) for r in session.execute(select(TicketRow).where(
                TicketRow.state == State.WAITING.value).order_by(TicketRow.opened_at, TicketRow.id)).scalars()]

    def position(self, ticket_id: int) -> Optional[int]:
        ids = [t.id for t in self.waiting()]
        return ids.index(ticket_id) + 1 if ticket_id in ids else None

    def history(self, ticket_id: int) -> List[Transition]:
        with self._sessions() as session:
            return [Transition(r.ticket_id, r.event, r.from_state, r.to_state, r.actor, r.at, r.to_agent, r.note,
                               r.conversation_id, r.reason, r.language, r.topic, r.contact)
                    for r in session.execute(select(TransitionRow).where(TransitionRow.ticket_id == ticket_id)
                                             .order_by(TransitionRow.id)).scalars()]

    def recent_handling(self, limit: int = 20) -> List[timedelta]:
        """How long recent tickets took from opening to being resolved or handed back."""
        with self._sessions() as session:
            rows = session.execute(select(TicketRow.opened_at, TicketRow.updated_at).where(
                TicketRow.state.in_((State.RESOLVED.value, State.RETURNED.value)))
                .order_by(TicketRow.updated_at.desc()).limit(limit)).all()
            return [updated - opened for opened, updated in rows]

    def in_states(self, *states: State) -> List[Ticket]:
        with self._sessions() as session:
            return [_ticket(r) for r in session.execute(select(TicketRow).where(
                TicketRow.state.in_([s.value for s in states])).order_by(TicketRow.opened_at, TicketRow.id)).scalars()]

    def add_note(self, ticket_id: int, author: str, body: str) -> Dict[str, str]:
        with self._sessions.begin() as session:
            note = Note(ticket_id=ticket_id, author=author, text=body)
            session.add(note)
            session.flush()
            return {"author": note.author, "text": note.text, "at": note.at.isoformat()}

    def set_email(self, ticket_id: int, email: str) -> bool:
        """Records where to mail the answers; False when the ticket already had this address."""
        with self._sessions.begin() as session:
            return session.execute(update(TicketRow).where(
                TicketRow.id == ticket_id, or_(TicketRow.email.is_(None), TicketRow.email != email))
                .values(email=email)).rowcount == 1

    def email(self, ticket_id: int) -> Optional[str]:
        with self._sessions() as session:
            return session.execute(select(TicketRow.email).where(TicketRow.id == ticket_id)).scalar_one_or_none()

    def notes(self, ticket_id: int) -> List[Dict[str, str]]:
        with self._sessions() as session:
            return [{"author": n.author, "text": n.text, "at": n.at.isoformat()} for n in session.execute(
                select(Note).where(Note.ticket_id == ticket_id).order_by(Note.id)).scalars()]

    def last_handled(self, conversation_id: int) -> Optional[Ticket]:
        """The conversation's latest ticket that staff resolved or handed back (the one to rate)."""
        with self._sessions() as session:
            row = session.execute(select(TicketRow).where(TicketRow.conversation_id == conversation_id,
                                                          TicketRow.state.in_((State.RESOLVED.value,
                                                                               State.RETURNED.value)))
                                  .order_by(TicketRow.id.desc()).limit(1)).scalar_one_or_none()
            return _ticket(row) if row else None

    def rate(self, ticket_id: int, score: int) -> bool:
        """Stores the user's rating; False if this ticket was already rated."""
        try:
            with self._sessions.begin() as session:
                session.add(Rating(ticket_id=ticket_id, score=score))
            return True
        except IntegrityError:
            return False

    def of_conversation(self, conversation_id: int) -> List[Ticket]:
        with self._sessions() as session:
            return [_ticket(r) for r in session.execute(select(TicketRow).where(
                TicketRow.conversation_id == conversation_id).order_by(TicketRow.id)).scalars()]

    def ask_comment(self, ticket_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Rating).where(Rating.ticket_id == ticket_id).values(comment_asked=True))

    def comment(self, ticket_id: int, words: str) -> None:
        """The user's optional comment on their rating."""
        with self._sessions.begin() as session:
            session.execute(update(Rating).where(Rating.ticket_id == ticket_id)
                            .values(comment=words[:2000], comment_asked=False))

    def comments_asked(self) -> Dict[int, int]:
        """conversation id -> rated ticket, for users whose next message is their comment."""
        with self._sessions() as session:
            return dict(session.execute(select(TicketRow.conversation_id, TicketRow.id).join(
                Rating, Rating.ticket_id == TicketRow.id).where(Rating.comment_asked.is_(True))).all())

    def rating(self, ticket_id: int) -> Optional[Dict[str, object]]:
        with self._sessions() as session:
            row = session.execute(select(Rating).where(Rating.ticket_id == ticket_id)).scalar_one_or_none()
            return {"score": row.score, "comment": row.comment} if row else None
