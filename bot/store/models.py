"""Tables of the gateway. Schema changes go through an Alembic migration (migrations/versions)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Conversation(Base):
    """One user on one channel (a widget session, a Telegram chat)."""
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_conversation_channel_external"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(40), nullable=False, unique=True)  # the conversation's id at Rasa
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False)
    language = Column(String(2))  # the starting guess, then the language the bot last replied in
    last_topic = Column(String(64))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    messages = relationship("Message", back_populates="conversation", order_by="Message.id")


class Message(Base):
    """Everything said in a conversation, stored before anything else happens to it."""
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "client_id", name="uq_message_client_id"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False,
                             index=True)
    direction = Column(String(3), nullable=False)  # in | out
    author = Column(String(8), nullable=False)  # user | bot | staff | system
    text = Column(Text, nullable=False, default="")
    payload = Column(Text)  # a button's payload, sent to Rasa instead of the text
    buttons = Column(JSON)
    client_id = Column(String(64))  # idempotency key: the widget's message id, Telegram's update_id
    # in: pending -> answered (by the bot) | handled (by the gateway: unreadable, too long, /help);
    # out: queued -> sent
    status = Column(String(10), nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    conversation = relationship("Conversation", back_populates="messages")


class StaffMember(Base):
    """A person who answers in the staff console; the password is stored as an argon2 hash only."""
    __tablename__ = "staff"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(128), nullable=False)
    role = Column(String(8), nullable=False)  # agent | admin
    password_hash = Column(String(256), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


# Ticket states in which a person is involved (see bot.handoff.queue.State).
ACTIVE_STATES = ("waiting", "assigned", "offline")


class TicketRow(Base):
    """A conversation's request for a person; its state moves only through bot.handoff.queue."""
    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False,
                             index=True)
    state = Column(String(10), nullable=False, index=True)
    agent = Column(String(64))
    reason = Column(String(32), nullable=False)
    language = Column(String(2))
    topic = Column(String(64))
    contact = Column(String(256))
    email = Column(String(254))  # left by the user of an offline ticket: staff answers are mailed there too
    opened_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    # Every change bumps it and is written only if nobody changed the ticket since it was read:
    # of two staff claiming at once, the database lets exactly one through.
    version = Column(Integer, nullable=False, default=1)


class TransitionRow(Base):
    """Every state change of a ticket (who, when), so its history can be replayed."""
    __tablename__ = "ticket_transitions"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    event = Column(String(16), nullable=False)
    from_state = Column(String(10))
    to_state = Column(String(10), nullable=False)
    actor = Column(String(80), nullable=False)
    at = Column(DateTime(timezone=True), nullable=False)
    to_agent = Column(String(64))
    note = Column(Text)
    conversation_id = Column(Integer)
    reason = Column(String(32))
    language = Column(String(2))
    topic = Column(String(64))
    contact = Column(String(256))


class Note(Base):
    """An internal note on a ticket: staff see it, the user never does."""
    __tablename__ = "ticket_notes"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Rating(Base):
    """How the user rated the help after staff resolved their ticket (1-5)."""
    __tablename__ = "ratings"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, unique=True)
    score = Column(Integer, nullable=False)
    comment = Column(Text)
    # The user tapped "add a comment": their next message is the comment (kept here to survive a restart).
    comment_asked = Column(Boolean, nullable=False, default=False, server_default=false())
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
