"""The gateway's core: every inbound message is stored, then answered in order, once.

Channels call `receive`; one worker per conversation takes its pending messages in
order to Rasa, stores the answers and hands them to the channel to deliver. When
Rasa is unreachable the user gets a short notice, the message stays pending and is
retried with backoff; pending messages are picked up again after a restart.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import re
from dataclasses import dataclass
from typing import Awaitable, Callable, Dict, List, Optional, Set, Tuple

import anyio

from bot.gateway.catalogue import text
from bot.gateway.handoff_gate import HELD, HandoffGate
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.store.transcripts import HANDLED, SENT, ConversationView, MessageView, Transcripts

log = logging.getLogger(__name__)

MAX_TEXT = 2000
# Control characters other than tab and newlines: PostgreSQL refuses NUL, none of them reads as text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A channel's delivery: True when the message reached the user (or their open widget).
Deliver = Callable[[ConversationView, MessageView], Awaitable[bool]]
Typing = Callable[[ConversationView, bool], Awaitable[None]]
# A message to answer, its conversation, and whether a person is involved.
Pending = Tuple[MessageView, ConversationView, bool]
# Staff consoles listen for new tickets and for what users write to a person.
Listen = Callable[[Dict], Awaitable[None]]


def clean(raw: str) -> str:
    return _CONTROL.sub("", raw).strip()


@dataclass(frozen=True)
class Backoff:
    first: float = 0.5
    longest: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.first * 2 ** max(attempt - 1, 0), self.longest)


@dataclass(frozen=True)
class Received:
    conversation: ConversationView
    message: MessageView
    new: bool


class Conversations:
    def __init__(self, transcripts: Transcripts, rasa: RasaClient, gate: HandoffGate, backoff: Backoff = Backoff(),
                 inline_db: bool = False):
        self.transcripts = transcripts
        self._inline_db = inline_db
        self.gate = gate
        self._rasa = rasa
        self._backoff = backoff
        self._deliver: Dict[str, Deliver] = {}
        self._typing: Dict[str, Typing] = {}
        self._workers: Dict[int, asyncio.Task] = {}
        self._listeners: List[Listen] = []
        self._again: Set[int] = set()
        self._suspect: Set[int] = set()  # conversations whose worker failed: pending messages may be left

    def add_channel(self, channel: str, deliver: Deliver, typing: Optional[Typing] = None) -> None:
        self._deliver[channel] = deliver
        if typing:
            self._typing[channel] = typing

    def listen(self, listener: Listen) -> None:
        self._listeners.append(listener)

    async def publish(self, event: Dict) -> None:
        for listener in list(self._listeners):
            try:
                await listener(event)
            except Exception:  # one broken console must not stop the conversation
                log.exception("a listener failed on %s", event.get("type"))

    async def queue_changed(self) -> None:
        """Tells waiting users whose expected wait changed noticeably, and every console."""
        for conversation_id, notice in await self.db(self.gate.updates):
            conversation = await self.db(self.transcripts.conversation, conversation_id)
            await self.notify(conversation, notice.text, notice.buttons)
        await self.publish({"type": "queue"})

    async def db(self, method: Callable, *args, **kwargs):
        """Runs a unit of work of the store: in a worker thread, off the event loop, or, for SQLite
        (`inline_db`), on the loop itself: a local query takes less than the hop to a thread, and
        with every access on one loop the process never waits for its own lock."""
        if self._inline_db:
            return method(*args, **kwargs)
        return await anyio.to_thread.run_sync(functools.partial(method, *args, **kwargs))

    async def receive(self, channel: str, external_id: str, raw_text: str, client_id: Optional[str] = None,
                      payload: Optional[str] = None, language: Optional[str] = None,
                      notice: Optional[str] = None, conversation: Optional[ConversationView] = None) -> Received:
        """Stores a user message (once per client id) and schedules its answer.

        `notice` (a catalogue key) answers it with that text instead of the bot: for
        what the bot cannot read (a photo, a sticker) or a channel command like /help.
        `conversation`, when the channel already opened it, saves a query.
        """
        if conversation is None:
            conversation = await self.db(self.transcripts.open_conversation, channel, external_id, language)
        message_text = clean(raw_text)
        if notice is None and not message_text:
            notice = "gateway.empty"
        elif notice is None and len(message_text) > MAX_TEXT:
            notice = "gateway.too_long"
        if notice is None:
            message, new, context = await self.db(self.transcripts.add_pending, conversation.id, message_text,
                                                  client_id, payload)
            if new:
                self.schedule(conversation.id, first=(message, *context))
            return Received(conversation, message, new)
        message, new = await self.db(self.transcripts.add_inbound, conversation.id, message_text[:MAX_TEXT],
                                     client_id, payload, HANDLED)
        if new:
            conversation = await self.db(self.transcripts.conversation, conversation.id)  # its current language
            await self.notify(conversation, text(conversation.language, notice, limit=MAX_TEXT))
        return Received(conversation, message, new)

    async def notify(self, conversation: ConversationView, notice: str,
                     buttons: Optional[List[Dict[str, str]]] = None) -> None:
        """A message from the help desk itself (not the bot), stored then delivered."""
        message = await self.db(self.transcripts.add_outbound, conversation.id, "system", notice, buttons)
        await self.deliver(conversation, message)

    def schedule(self, conversation_id: int, first: Optional[Pending] = None) -> None:
        """Makes sure a worker answers the conversation's pending messages, in order.

        `first`: the message just stored, with its context; an idle worker starts with it
        instead of asking the database, unless an earlier message may still be pending
        (the last worker of this conversation failed).
        """
        if conversation_id in self._workers:
            self._again.add(conversation_id)  # the running worker looks once more before it ends
            return
        if conversation_id in self._suspect:
            first = None
        self._workers[conversation_id] = asyncio.create_task(self._work(conversation_id, first))

    async def _work(self, conversation_id: int, first: Optional[Pending] = None) -> None:
        try:
            while True:
                self._again.discard(conversation_id)
                pending, first = first or await self.db(self.transcripts.next_pending, conversation_id), None
                if pending is None:
                    if conversation_id in self._again:
                        continue
                    self._suspect.discard(conversation_id)
                    return
                await self._answer(*pending)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not silence the conversation forever; the message stays pending
            log.exception("conversation %s: worker failed", conversation_id)
            self._suspect.add(conversation_id)
        finally:
            self._workers.pop(conversation_id, None)

    async def _answer(self, message: MessageView, conversation: ConversationView, involved: bool) -> None:
        if involved or self.gate.may_intercept(message):
            outcome = await self.db(self.gate.before_bot, message, conversation)
            if outcome is not None:
                await self.db(self.transcripts.set_status, [message.id], outcome.status)
                if outcome.notice:
                    await self.notify(conversation, outcome.notice.text, outcome.notice.buttons)
                if outcome.status == HELD:
                    await self.publish({"type": "message", "ticket_id": outcome.ticket_id,
                                        "conversation_id": conversation.id, "message": message})
                else:
                    await self.queue_changed()  # e.g. a cancelled ticket leaves the queue
                return
        metadata = {"language": conversation.language, "channel": conversation.channel}
        while True:
            await self._set_typing(conversation, True)
            try:
                turn = await self._rasa.send(conversation.sender_id, message.payload or message.text, metadata)
                break
            except RasaUnavailable as error:
                attempts = await self.db(self.transcripts.count_attempt, message.id)
                log.warning("conversation %s: %s; retry %d", conversation.id, error, attempts)
                if attempts == 1:
                    await self.notify(conversation, text(conversation.language, "gateway.one_moment"))
                await self._set_typing(conversation, False)
                await asyncio.sleep(self._backoff.delay(attempts))
        conversation, replies = await self.db(self.transcripts.answered, message, turn.language, turn.topic,
                                              turn.replies)
        await self.deliver(conversation, *replies, end_turn=not turn.handoff)
        if turn.handoff:  # the place in the queue still belongs to this turn
            notice, ticket_id = await self.db(self.gate.open, conversation, turn.handoff)
            await self.notify(conversation, notice.text, notice.buttons)
            await self.publish({"type": "new_ticket", "ticket_id": ticket_id})


    async def _set_typing(self, conversation: ConversationView, on: bool) -> None:
        typing = self._typing.get(conversation.channel)
        if typing:
            try:
                await typing(conversation, on)
            except Exception:  # a typing indicator is a courtesy; never let it stop an answer
                log.debug("typing indicator failed", exc_info=True)

    async def deliver(self, conversation: ConversationView, *messages: MessageView, end_turn: bool = True) -> None:
        """Hands stored messages to their channel; what it cannot deliver stays queued (resent at start)."""
        deliver = self._deliver.get(conversation.channel)
        if deliver is None:
            return
        delivered = []
        for message in messages:
            try:
                if not await deliver(conversation, message):
                    break
            except Exception:
                log.exception("conversation %s: delivery of message %s failed", conversation.id, message.id)
                break
            delivered.append(message.id)
        if end_turn:
            await self._set_typing(conversation, False)  # after the answer: it also marks the turn complete
        if delivered:
            await self.db(self.transcripts.set_status, delivered, SENT)

    async def start(self) -> None:
        """Picks up what a previous run left: pending messages and undelivered answers."""
        for conversation_id in await self.db(self.transcripts.conversations_with_pending):
            self.schedule(conversation_id)
        for channel in self._deliver:
            for message in await self.db(self.transcripts.undelivered, channel):
                conversation = await self.db(self.transcripts.conversation, message.conversation_id)
                await self.deliver(conversation, message)  # one by one: a failure leaves the rest queued

    async def idle(self) -> None:
        """Waits until no conversation has work in progress (tests and benchmarks use it)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._workers.values()):
            task.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)
