"""What staff do to a ticket, and what the user then hears: claim, reply, note, transfer,
release, hand back (the bot resumes), resolve (the user is asked to rate). Replies on a
ticket whose user left an email address are mailed there too.

The console's routes call this; it moves tickets through bot.store.tickets (the rules
are bot.handoff.queue's), talks to the user through the conversation's channel and
tells every open console that the queue changed.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Dict, Optional, Set

from bot.channels.email import Mailer, MailError
from bot.gateway.catalogue import text
from bot.gateway.conversations import Conversations, clean
from bot.gateway.rasa_client import RasaClient
from bot.handoff.queue import Actor, Event, Ticket
from bot.store.staff import StaffView
from bot.store.tickets import Tickets
from bot.store.transcripts import MessageView

log = logging.getLogger(__name__)


def actor_of(member: StaffView) -> Actor:
    return Actor.agent(member.username, admin=member.role == "admin")


class StaffDesk:
    def __init__(self, conversations: Conversations, tickets: Tickets, rasa: RasaClient, mailer: Mailer):
        self._conversations = conversations
        self._tickets = tickets
        self._rasa = rasa
        self._mailer = mailer
        self._mailing: Set[asyncio.Task] = set()  # kept referenced until sent

    async def move(self, ticket_id: int, event: Event, member: StaffView, to_agent: Optional[str] = None) -> Ticket:
        """Raises IllegalTransition or TicketConflict (the console shows them) before anything is said."""
        db = self._conversations.db
        details = {"to_agent": to_agent} if event == Event.TRANSFER else {}
        ticket = await db(self._tickets.move, ticket_id, event, actor_of(member), datetime.now(timezone.utc), **details)
        conversation = await db(self._conversations.transcripts.conversation, ticket.conversation_id)
        language = conversation.language or ticket.language
        if event == Event.CLAIM:
            await self._conversations.notify(conversation, text(language, "handoff.claimed", name=member.display_name))
        elif event == Event.HAND_BACK:
            await self._rasa.reset(conversation.sender_id, language)
            await self._conversations.notify(conversation, text(language, "handoff.handed_back"),
                                             self._conversations.gate.rating_buttons(language))
        elif event == Event.RESOLVE:
            await self._conversations.notify(conversation, text(language, "handoff.resolved"),
                                             self._conversations.gate.rating_buttons(language))
        await self._conversations.queue_changed()
        return ticket

    async def reply(self, ticket_id: int, member: StaffView, body: str) -> MessageView:
        """A staff message to the user; only the agent holding the ticket may write."""
        db = self._conversations.db
        ticket = await db(self._tickets.get, ticket_id)
        if ticket.state.value != "assigned" or ticket.agent != member.username:
            raise PermissionError("only the agent holding this conversation can write to the user; claim it first")
        conversation = await db(self._conversations.transcripts.conversation, ticket.conversation_id)
        message = await db(self._conversations.transcripts.add_outbound, conversation.id, "staff", clean(body))
        await self._conversations.deliver(conversation, message)
        email = await db(self._tickets.email, ticket_id) if self._mailer.enabled else None
        if email:
            task = asyncio.create_task(self._mail(ticket_id, email, conversation.language or ticket.language,
                                                  member, message.text))
            self._mailing.add(task)
            task.add_done_callback(self._mailing.discard)
        return message

    async def _mail(self, ticket_id: int, email: str, language: Optional[str], member: StaffView, reply: str) -> None:
        """Mails a reply; a failure becomes a note on the ticket, so staff know the user may not have it."""
        try:
            await self._mailer.send(email, text(language, "mail.subject", id=ticket_id),
                                    text(language, "mail.body", name=member.display_name, reply=reply))
        except MailError as error:
            log.warning("mail to ticket %s's address failed: %s", ticket_id, error)
            await self._conversations.db(self._tickets.add_note, ticket_id, "system",
                                         f"The email to {email} could not be sent ({error}).")
            await self._conversations.queue_changed()

    async def stop(self) -> None:
        """Lets mails being sent finish (they time out on their own)."""
        if self._mailing:
            await asyncio.gather(*self._mailing, return_exceptions=True)

    async def note(self, ticket_id: int, member: StaffView, body: str) -> Dict[str, str]:
        return await self._conversations.db(self._tickets.add_note, ticket_id, member.username, clean(body))
