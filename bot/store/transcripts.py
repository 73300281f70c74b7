"""Conversations and their transcripts: the only place that reads and writes those tables.

Methods are synchronous units of work (one session, one transaction each); async
callers run them in a worker thread (`bot.gateway` does).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import ACTIVE_STATES, Conversation, Message, TicketRow, utcnow

PENDING, ANSWERED, HANDLED = "pending", "answered", "handled"
QUEUED, SENT = "queued", "sent"

_MESSAGES, _CONVERSATIONS, _TICKETS = Message.__table__, Conversation.__table__, TicketRow.__table__
# A ConversationView's fields, in its order.
_CONVERSATION_FIELDS = (_CONVERSATIONS.c.id, _CONVERSATIONS.c.sender_id, _CONVERSATIONS.c.channel,
                        _CONVERSATIONS.c.external_id, _CONVERSATIONS.c.language, _CONVERSATIONS.c.last_topic)
_MESSAGE_FIELDS = (_MESSAGES.c.id, _MESSAGES.c.conversation_id, _MESSAGES.c.direction, _MESSAGES.c.author,
                   _MESSAGES.c.text, _MESSAGES.c.status, _MESSAGES.c.created_at, _MESSAGES.c.payload,
                   _MESSAGES.c.buttons, _MESSAGES.c.client_id, _MESSAGES.c.attempts)

# The statements on every message's path, built once: building a statement and its cache key
# costs SQLAlchemy more than SQLite takes to run it (parameters are bound per execution).
_CONVERSATION_ID = bindparam("conversation_id")
_INVOLVED = exists().where(_TICKETS.c.conversation_id == _CONVERSATION_ID, _TICKETS.c.state.in_(ACTIVE_STATES))
_INSERT_MESSAGE = insert(_MESSAGES)
_CONTEXT = select(*_CONVERSATION_FIELDS, _INVOLVED).where(_CONVERSATIONS.c.id == _CONVERSATION_ID)
_CONVERSATION = select(*_CONVERSATION_FIELDS).where(_CONVERSATIONS.c.id == _CONVERSATION_ID)
_NEXT_PENDING = (select(*_MESSAGE_FIELDS, *_CONVERSATION_FIELDS, _INVOLVED)
                 .join_from(_MESSAGES, _CONVERSATIONS)
                 .where(_MESSAGES.c.conversation_id == _CONVERSATION_ID, _MESSAGES.c.direction == "in",
                        _MESSAGES.c.status == PENDING)
                 .order_by(_MESSAGES.c.id).limit(1))
_SET_STATUS = (update(_MESSAGES).where(_MESSAGES.c.id.in_(bindparam("ids", expanding=True)))
               .values(status=bindparam("new_status")))
_REMEMBER = update(_CONVERSATIONS).where(_CONVERSATIONS.c.id == _CONVERSATION_ID).values(
    language=func.coalesce(bindparam("new_language"), _CONVERSATIONS.c.language),
    last_topic=func.coalesce(bindparam("new_topic"), _CONVERSATIONS.c.last_topic))


@dataclass(frozen=True)
class ConversationView:
    id: int
    sender_id: str
    channel: str
    external_id: str
    language: Optional[str]
    last_topic: Optional[str] = None


@dataclass(frozen=True)
class MessageView:
    id: int
    conversation_id: int
    direction: str
    author: str
    text: str
    status: str
    created_at: datetime
    payload: Optional[str] = None
    buttons: List[Dict[str, str]] = field(default_factory=list)
    client_id: Optional[str] = None
    attempts: int = 0


def _message_from_fields(values: Sequence[Any]) -> MessageView:
    """A MessageView from the values of `_MESSAGE_FIELDS`, in their order."""
    *leading, buttons, client_id, attempts = values
    return MessageView(*leading, list(buttons or []), client_id, attempts)


# ORM rows go through the same field lists as the prebuilt statements' result rows.
def _conversation_view(row: Conversation) -> ConversationView:
    return ConversationView(*(getattr(row, column.key) for column in _CONVERSATION_FIELDS))


def _message_view(row: Message) -> MessageView:
    return _message_from_fields([getattr(row, column.key) for column in _MESSAGE_FIELDS])


def _add_user_message(session: Session, conversation_id: int, text: str, client_id: Optional[str],
                      payload: Optional[str], status: str) -> Message:
    row = Message(conversation_id=conversation_id, direction="in", author="user", text=text, payload=payload,
                  client_id=client_id, status=status)
    session.add(row)
    session.flush()  # raises IntegrityError here for a client id already stored
    return row


class Transcripts:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    def open_conversation(self, channel: str, external_id: str, language: Optional[str] = None) -> ConversationView:
        """The conversation of this channel user, created on first contact with the starting language."""
        query = select(Conversation).where(Conversation.channel == channel, Conversation.external_id == external_id)
        for _ in range(2):  # a concurrent first contact may create it between our read and write
            with self._sessions.begin() as session:
                row = session.execute(query).scalar_one_or_none()
                if row is not None:
                    return _conversation_view(row)
            try:
                with self._sessions.begin() as session:
                    row = Conversation(sender_id=uuid.uuid4().hex, channel=channel, external_id=external_id,
                                       language=language)
                    session.add(row)
                    session.flush()
                    return _conversation_view(row)
            except IntegrityError:
                continue
        raise RuntimeError(f"could not open the conversation {channel}:{external_id}")

    def conversation(self, conversation_id: int) -> ConversationView:
        with self._sessions() as session:
            return _conversation_view(session.get(Conversation, conversation_id))

    def add_inbound(self, conversation_id: int, text: str, client_id: Optional[str] = None,
                    payload: Optional[str] = None, status: str = PENDING) -> Tuple[MessageView, bool]:
        """Stores a user message; returns it and whether it is new (False: this client id was seen)."""
        try:
            with self._sessions.begin() as session:
                return _message_view(_add_user_message(session, conversation_id, text, client_id, payload,
                                                       status)), True
        except IntegrityError as refused:
            return self._resent(conversation_id, client_id, refused), False

    def add_pending(self, conversation_id: int, text: str, client_id: Optional[str] = None,
                    payload: Optional[str] = None) -> Tuple[MessageView, bool, Optional[Tuple[ConversationView, bool]]]:
        """`add_inbound` for a message the bot is to answer, returning too what answering it needs (the
        conversation, and whether a person is involved) read in the same transaction: one round trip less
        on every message's path. The context is None for a resend. Core statements, not the ORM's unit of
        work: this and `answered` are the store's share of every message's latency."""
        values = dict(conversation_id=conversation_id, direction="in", author="user", text=text, payload=payload,
                      client_id=client_id, status=PENDING, attempts=0, created_at=utcnow())
        try:
            with self._sessions.begin() as session:
                message_id = session.execute(_INSERT_MESSAGE, values).inserted_primary_key[0]
                row = session.execute(_CONTEXT, {"conversation_id": conversation_id}).one()
        except IntegrityError as refused:
            return self._resent(conversation_id, client_id, refused), False, None
        message = MessageView(message_id, conversation_id, "in", "user", text, PENDING, values["created_at"], payload,
                              [], client_id)
        return message, True, (ConversationView(*row[:-1]), bool(row[-1]))

    def _resent(self, conversation_id: int, client_id: Optional[str], refused: IntegrityError) -> MessageView:
        """The stored message that a refused insert repeats (the unique (conversation, client id))."""
        existing = self._by_client_id(conversation_id, client_id) if client_id is not None else None
        if existing is None:
            raise refused
        return existing

    def _by_client_id(self, conversation_id: int, client_id: str) -> Optional[MessageView]:
        with self._sessions() as session:
            row = session.execute(select(Message).where(Message.conversation_id == conversation_id,
                                                        Message.client_id == client_id)).scalar_one_or_none()
            return _message_view(row) if row else None

    def add_outbound(self, conversation_id: int, author: str, text: str,
                     buttons: Optional[List[Dict[str, str]]] = None) -> MessageView:
        with self._sessions.begin() as session:
            row = Message(conversation_id=conversation_id, direction="out", author=author, text=text,
                          buttons=buttons or None, status=QUEUED)
            session.add(row)
            session.flush()
            return _message_view(row)

    def next_pending(self, conversation_id: int) -> Optional[Tuple[MessageView, ConversationView, bool]]:
        """The oldest unanswered user message, its conversation, and whether a person is involved
        (an active ticket), in one query: this is on every message's path."""
        with self._sessions() as session:
            row = session.execute(_NEXT_PENDING, {"conversation_id": conversation_id}).first()
        if row is None:
            return None
        fields = len(_MESSAGE_FIELDS)
        return _message_from_fields(row[:fields]), ConversationView(*row[fields:-1]), bool(row[-1])

    def conversations_with_pending(self) -> List[int]:
        with self._sessions() as session:
            return list(session.execute(select(Message.conversation_id).where(
                Message.direction == "in", Message.status == PENDING).distinct()).scalars())

    def set_status(self, message_ids: List[int], status: str) -> None:
        with self._sessions.begin() as session:
            session.execute(_SET_STATUS, {"ids": message_ids, "new_status": status})

    def count_attempt(self, message_id: int) -> int:
        with self._sessions.begin() as session:
            row = session.get(Message, message_id)
            row.attempts += 1
            return row.attempts

    def answered(self, message: MessageView, language: Optional[str], topic: Optional[str],
                 replies: List[Dict[str, Any]]) -> Tuple[ConversationView, List[MessageView]]:
        """In one transaction: the bot's replies stored, the message answered, the language remembered.
        Core statements, as in `add_pending`."""
        now, conversation_id = utcnow(), message.conversation_id
        with self._sessions.begin() as session:
            session.execute(_SET_STATUS, {"ids": [message.id], "new_status": ANSWERED})
            session.execute(_REMEMBER, {"conversation_id": conversation_id, "new_language": language or None,
                                        "new_topic": topic or None})
            stored = []
            for reply in replies:
                buttons = reply.get("buttons") or []
                values = dict(conversation_id=conversation_id, direction="out", author="bot", text=reply["text"],
                              status=QUEUED, attempts=0, created_at=now)
                if buttons:  # left out, not None: the JSON type would store None as the JSON text 'null'
                    values["buttons"] = buttons
                reply_id = session.execute(_INSERT_MESSAGE, values).inserted_primary_key[0]
                stored.append(MessageView(reply_id, conversation_id, "out", "bot", reply["text"], QUEUED, now,
                                          buttons=list(buttons)))
            row = session.execute(_CONVERSATION, {"conversation_id": conversation_id}).one()
            return ConversationView(*row), stored

    def undelivered(self, channel: str) -> List[MessageView]:
        with self._sessions() as session:
            return [_message_view(row) for row in session.execute(
                select(Message).join(Conversation).where(Conversation.channel == channel, Message.direction == "out",
                                                         Message.status == QUEUED).order_by(Message.id)).scalars()]

    def history(self, conversation_id: int, limit: int = 500) -> List[MessageView]:
        with self._sessions() as session:
            rows = session.execute(select(Message).where(Message.conversation_id == conversation_id)
                                   .order_by(Message.id.desc()).limit(limit)).scalars().all()
            return [_message_view(row) for row in reversed(rows)]

    def button(self, conversation_id: int, message_id: int, index: int) -> Optional[Dict[str, str]]:
        """A button of a message sent in this conversation (Telegram callback data names it by position)."""
        with self._sessions() as session:
            row = session.get(Message, message_id)
            if row is None or row.conversation_id != conversation_id or not 0 <= index < len(row.buttons or []):
                return None
            return dict(row.buttons[index])

    def search(self, words: str = "", topic: Optional[str] = None, channel: Optional[str] = None,
               since: Optional[datetime] = None, until: Optional[datetime] = None, limit: int = 50) -> List[Dict[str, Any]]:
        """Past conversations, newest first: by words in any message, topic, channel and date of the messages."""
        query = select(Conversation.id, Conversation.channel, Conversation.language, Conversation.last_topic,
                       func.min(Message.created_at), func.max(Message.created_at)).join(Message)
        if words.strip():
            query = query.where(func.lower(Message.text).contains(words.strip().lower(), autoescape=True))
        if topic:
            query = query.where(Conversation.last_topic == topic)
        if channel:
            query = query.where(Conversation.channel == channel)
        if since:
            query = query.where(Message.created_at >= since)
        if until:
            query = query.where(Message.created_at < until)
        query = query.group_by(Conversation.id).order_by(func.max(Message.created_at).desc()).limit(limit)
        with self._sessions() as session:
            return [{"conversation_id": cid, "channel": ch, "language": lang, "topic": last_topic,
                     "first_at": first.isoformat(), "last_at": last.isoformat()}
                    for cid, ch, lang, last_topic, first, last in session.execute(query)]
