"""Between a conversation and Rasa while a person is involved.

While the conversation has an active ticket, what the user writes is held for staff
and Rasa sees none of it; "/cancel" takes the user back to the bot. When the bot
signals a handoff, a ticket is opened and the user is told their place in the queue
and the expected wait, or, outside business hours, when staff are back (and, with mail
configured, that an email address written while they wait gets the answer too).
Methods are synchronous units of work; the conversation worker runs them in a thread.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, List, Optional, Tuple

from bot.channels.email import find_address
from bot.gateway.catalogue import text
from bot.handoff.hours import BusinessHours
from bot.handoff.queue import Actor, Event, State, Ticket
from bot.handoff.wait import changed_noticeably, estimate_wait
from bot.store.tickets import Tickets
from bot.store.transcripts import ConversationView, MessageView

CANCEL = "/cancel"
RATE = "/rate_"  # + 1..5, the buttons offered when staff resolve a ticket
COMMENT = "/comment"  # the button offered after a rating: the next message is the comment
HELD = "held"  # a user message kept for staff, never sent to Rasa


@dataclass
class Notice:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


@dataclass
class GateOutcome:
    status: str  # what the user's message becomes: held for staff, or handled by the gateway
    notice: Optional[Notice] = None
    ticket_id: Optional[int] = None  # the ticket a held message belongs to (staff are told)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class HandoffGate:
    def __init__(self, tickets: Tickets, hours: BusinessHours, clock: Callable[[], datetime] = _utcnow,
                 agents_online: Callable[[], int] = lambda: 1, mail_enabled: bool = False):
        self.tickets = tickets
        self._mail_enabled = mail_enabled
        self._hours = hours
        self._clock = clock
        self._agents_online = agents_online
        self._told: Dict[int, timedelta] = {}  # the wait last told to each waiting ticket's user
        # Opening a ticket (its time included) and counting its place is one step: two handoffs
        # opened at once in worker threads would otherwise each count the queue without the other.
        self._opening = threading.Lock()
        # conversation -> the rated ticket whose comment comes next (stored too: a restart keeps it)
        self._commenting: Dict[int, int] = tickets.comments_asked()

    def may_intercept(self, message: MessageView) -> bool:
        """Whether the gate must look even when no person is involved (saves a query per message)."""
        payload = message.payload or ""
        return (CANCEL in (payload, message.text.strip().lower()) or payload.startswith(RATE) or payload == COMMENT
                or message.conversation_id in self._commenting)

    def before_bot(self, message: MessageView, conversation: ConversationView) -> Optional[GateOutcome]:
        """What happens to a user message instead of going to Rasa; None lets it through."""
        if (message.payload or "").startswith(RATE):
            return self._rate(message.payload[len(RATE):], conversation)
        if message.payload == COMMENT:
            ticket = self.tickets.last_handled(conversation.id)
            if ticket is None:
                return GateOutcome("handled")
            self.tickets.ask_comment(ticket.id)
            self._commenting[conversation.id] = ticket.id
            return GateOutcome("handled", Notice(text(conversation.language, "handoff.comment_prompt")))
        if conversation.id in self._commenting:
            self.tickets.comment(self._commenting.pop(conversation.id), message.text)
            return GateOutcome("handled", Notice(text(conversation.language, "handoff.comment_thanks")))
        cancelling = CANCEL in (message.payload, message.text.strip().lower())
        ticket = self.tickets.active(conversation.id)
        if cancelling and ticket is None:
            return GateOutcome("handled", Notice(text(conversation.language, "handoff.nothing_to_cancel")))
        if cancelling:
            self.tickets.move(ticket.id, Event.CANCEL, Actor.user(), self._clock())
            return GateOutcome("handled", Notice(text(conversation.language, "handoff.cancelled")))
        if ticket is not None:
            return GateOutcome(HELD, self._take_email(ticket, message, conversation.language), ticket.id)
        return None

    def _take_email(self, ticket: Ticket, message: MessageView, language: Optional[str]) -> Optional[Notice]:
        """An address written while an offline ticket waits is where staff answers are mailed too."""
        if not self._mail_enabled or ticket.state is not State.OFFLINE:
            return None
        address = find_address(message.text)
        if address is None or not self.tickets.set_email(ticket.id, address):
            return None
        return Notice(text(language or ticket.language, "handoff.email_saved", email=address))

    def _rate(self, score: str, conversation: ConversationView) -> GateOutcome:
        ticket = self.tickets.last_handled(conversation.id)
        if not (score.isdigit() and 1 <= int(score) <= 5) or ticket is None or not self.tickets.rate(ticket.id, int(score)):
            return GateOutcome("handled")  # a stale or repeated tap: nothing to say
        return GateOutcome("handled", Notice(text(conversation.language, "handoff.rated"), [
            {"title": text(conversation.language, "handoff.comment_button"), "payload": COMMENT}]))

    @staticmethod
    def rating_buttons(language: Optional[str]) -> List[Dict[str, str]]:
        return [{"title": text(language, f"handoff.score_{n}"), "payload": f"{RATE}{n}"} for n in range(1, 6)]

    def open(self, conversation: ConversationView, signal: Dict) -> Tuple[Notice, int]:
        """Opens (or finds) the conversation's ticket; says where the user stands; returns the ticket id too."""
        with self._opening:
            return self._open(conversation, signal)

    def _open(self, conversation: ConversationView, signal: Dict) -> Tuple[Notice, int]:
        language = signal.get("language") or conversation.language
        now = self._clock()
        cancel = [{"title": text(language, "handoff.cancel_button"), "payload": CANCEL}]
        reason, topic = signal.get("reason") or "request", signal.get("last_article") or conversation.last_topic
        if not self._hours.is_open(now):
            # Left for later: staff answer on the same channel (Telegram, or the widget's next visit).
            ticket = self.tickets.open(conversation.id, reason, language, topic, now, Actor.system(),
                                       offline_contact=f"{conversation.channel}:{conversation.external_id}")
            opens = self._hours.next_opening(now)
            closed = "handoff.closed_email" if self._mail_enabled else "handoff.closed"
            return Notice(text(language, closed, opens=opens.strftime("%d.%m.%Y %H:%M")), cancel), ticket.id
        ticket = self.tickets.open(conversation.id, reason, language, topic, now)
        position = self.tickets.position(ticket.id) or 1
        wait = self._told[ticket.id] = estimate_wait(position, self.tickets.recent_handling(), self._agents_online())
        return Notice(text(language, "handoff.queued", position=position, minutes=int(wait.total_seconds() // 60)),
                      cancel), ticket.id

    def updates(self) -> List[Tuple[int, Notice]]:
        """After the queue moved: (conversation id, notice) for each waiting user whose wait changed noticeably."""
        handling, agents = self.tickets.recent_handling(), self._agents_online()
        notices = []
        for position, ticket in enumerate(self.tickets.waiting(), 1):
            wait = estimate_wait(position, handling, agents)
            told = self._told.setdefault(ticket.id, wait)  # after a restart: told again from the next change
            if changed_noticeably(told, wait):
                self._told[ticket.id] = wait
                notices.append((ticket.conversation_id, Notice(text(
                    ticket.language, "handoff.update", position=position, minutes=int(wait.total_seconds() // 60)))))
        return notices
