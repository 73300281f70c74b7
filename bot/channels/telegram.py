"""The Telegram channel (python-telegram-bot 22): long polling by default, webhook as an option.

Handlers stay thin: each update becomes a stored message (its update_id is the
idempotency key) and the conversation worker answers it; answers come back through
`deliver`, split under Telegram's length limit, sent as plain text (nothing in a
message is read as markup), buttons as an inline keyboard.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import re
from typing import List, Optional

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.gateway.catalogue import LANGUAGES, catalogue, text
from bot.gateway.conversations import Conversations
from bot.gateway.handoff_gate import CANCEL
from bot.settings import Settings
from bot.store.transcripts import ConversationView, MessageView

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SEND_ATTEMPTS = 5
COMMANDS = ("start", "help", "lang", "human", "cancel")


def split_text(body: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> List[str]:
    """Pieces under the limit, cut at a paragraph, line or word boundary where there is one."""
    pieces = []
    while len(body) > limit:
        cut = max(body.rfind(separator, 0, limit) for separator in ("\n\n", "\n", " "))
        cut = cut if cut > limit // 2 else limit
        pieces.append(body[:cut].rstrip())
        body = body[cut:].lstrip()
    return pieces + [body] if body else pieces


def language_of(update: Update) -> Optional[str]:
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return code[:2] if code[:2] in LANGUAGES else None


class TelegramChannel:
    def __init__(self, settings: Settings, conversations: Conversations):
        self._settings = settings
        self._conversations = conversations
        builder = (Application.builder().token(settings.telegram_token)
                   .base_url(f"{settings.telegram_api_url}/bot").base_file_url(f"{settings.telegram_api_url}/file/bot"))
        if settings.telegram_webhook_url:
            builder = builder.updater(None)  # updates arrive at the gateway's /telegram/webhook
        self.application = builder.build()
        # Before the commands: CommandHandler also takes edited messages, so an edited /lang would vanish.
        self.application.add_handler(MessageHandler(filters.UpdateType.EDITED, self._edited))
        for command, handler in (("start", self._start), ("help", self._help), ("lang", self._lang),
                                 ("human", self._human), ("cancel", self._cancel)):
            self.application.add_handler(CommandHandler(command, handler))
        self.application.add_handler(CallbackQueryHandler(self._button))
        self.application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._text))
        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT, self._not_text))
        self.application.add_error_handler(self._error)
        conversations.add_channel(CHANNEL, self.deliver, self.typing)
        conversations.listen(self.tell_staff)

    async def start(self) -> None:
        await self.application.initialize()
        bot = self.application.bot
        for language in LANGUAGES:
            described = catalogue(language)["telegram"]["commands"]
            await bot.set_my_commands([BotCommand(c, described[c]) for c in COMMANDS], language_code=language)
        await self.application.start()
        if self._settings.telegram_webhook_url:
            await bot.set_webhook(self._settings.telegram_webhook_url, secret_token=self._settings.telegram_webhook_secret,
                                  allowed_updates=Update.ALL_TYPES)
        else:
            await bot.delete_webhook()
            await self.application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("Telegram on (%s) as @%s", "webhook" if self._settings.telegram_webhook_url else "long polling",
                 bot.username)

    async def stop(self) -> None:
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def webhook(self, request: Request) -> Response:
        """Telegram's POST in webhook mode; refused unless it carries the secret set with setWebhook."""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self._settings.telegram_webhook_secret.encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "not an update"}, status_code=400)
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    # -- inbound ------------------------------------------------------------------------------------------------
    def _addressed(self, message: Optional[Message]) -> bool:
        """In a group, only messages that mention the bot or reply to it are for us."""
        if message is None or message.chat.type == ChatType.PRIVATE:
            return message is not None
        bot = self.application.bot
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        return f"@{bot.username}".lower() in (message.text or message.caption or "").lower()

    def _clean(self, body: str) -> str:
        """The text without the mention of the bot (usernames are case-insensitive, as in `_addressed`)."""
        return re.sub(re.escape(f"@{self.application.bot.username}"), "", body, flags=re.IGNORECASE).strip()

    async def _receive(self, update: Update, body: str, payload: Optional[str] = None,
                       notice: Optional[str] = None) -> None:
        await self._conversations.receive(CHANNEL, str(update.effective_chat.id), body, client_id=f"u{update.update_id}",
                                          payload=payload, language=language_of(update), notice=notice)

    async def _text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._addressed(update.message):
            await self._receive(update, self._clean(update.message.text))

    async def _not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message.chat.type != ChatType.PRIVATE and not self._addressed(message):
            return
        kind = next((k for k in ("photo", "sticker", "voice", "audio", "video", "document", "location", "contact")
                     if getattr(message, k, None)), "other")
        await self._receive(update, f"[{kind}] {message.caption or ''}".strip(), notice="telegram.not_text")

    async def _edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._addressed(update.edited_message):
            await self._receive(update, f"[edited] {update.edited_message.text or ''}", notice="telegram.edited")

    async def _start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._addressed(update.message):
            await self._receive(update, "/start", payload="/chitchat.greet")

    async def _help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._addressed(update.message):
            await self._receive(update, "/help", notice="telegram.help")

    async def _human(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._addressed(update.message):
            await self._receive(update, "/human", payload="/handoff.request")

    async def _cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._addressed(update.message):
            await self._receive(update, "/cancel", payload=CANCEL)

    async def _lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/lang en`, `/lang sq`, or plain `/lang` to switch to the other language."""
        if not self._addressed(update.message):
            return
        asked = (context.args or [""])[0].lower()[:2]
        if asked not in LANGUAGES:
            conversation = await self._conversations.db(self._conversations.transcripts.open_conversation, CHANNEL,
                                                        str(update.effective_chat.id), language_of(update))
            asked = "en" if (conversation.language or "sq") == "sq" else "sq"
        await self._receive(update, update.message.text, payload=f"/language.to_{asked}")

    async def _button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        try:
            await query.answer()  # stops the spinner on the user's button at once
        except TelegramError as error:  # e.g. "query is too old" after downtime: the tap itself still counts
            log.info("Telegram callback query %s not answered: %s", query.id, error)
        conversation = await self._conversations.db(self._conversations.transcripts.open_conversation, CHANNEL,
                                                    str(update.effective_chat.id), language_of(update))
        try:
            message_id, index = (int(part) for part in (query.data or "").split(":"))
        except ValueError:
            return
        button = await self._conversations.db(self._conversations.transcripts.button, conversation.id, message_id, index)
        if button:
            await self._receive(update, button["title"], payload=button["payload"])

    async def _error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update failed", exc_info=context.error)

    async def tell_staff(self, event: dict) -> None:
        """Posts each new ticket to the staff group, if one is configured (a listener of Conversations)."""
        if event.get("type") != "new_ticket" or not self._settings.telegram_staff_chat:
            return
        ticket = await self._conversations.db(self._conversations.gate.tickets.get, event["ticket_id"])
        await self._send(self._settings.telegram_staff_chat, text(
            "sq", "telegram.staff_new_ticket", id=ticket.id, lang=ticket.language or "?",
            topic=ticket.topic or "?", url=f"{self._settings.gateway_url}/staff#ticket-{ticket.id}"), None)

    # -- outbound -----------------------------------------------------------------------------------------------
    async def typing(self, conversation: ConversationView, on: bool) -> None:
        if on:
            await self.application.bot.send_chat_action(int(conversation.external_id), ChatAction.TYPING)

    async def deliver(self, conversation: ConversationView, message: MessageView) -> bool:
        pieces = split_text(message.text) or [""]
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(b["title"], callback_data=f"{message.id}:{i}")]
                                         for i, b in enumerate(message.buttons)]) if message.buttons else None
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            if not await self._send(int(conversation.external_id), piece, keyboard if last else None):
                return False
        return True

    async def _send(self, chat_id: int, body: str, keyboard: Optional[InlineKeyboardMarkup]) -> bool:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await self.application.bot.send_message(chat_id, body, reply_markup=keyboard)
                return True
            except RetryAfter as error:  # Telegram's flood control says how long to wait
                delay = error.retry_after.total_seconds() if hasattr(error.retry_after, "total_seconds") \
                    else float(error.retry_after)
                log.warning("Telegram rate limit: waiting %.0f s", delay)
                await asyncio.sleep(delay)
            except (BadRequest, Forbidden):  # blocked by the user, chat gone: retrying will not help
                log.warning("Telegram refused a message to chat %s", chat_id, exc_info=True)
                return False
            except NetworkError:  # Telegram or the network briefly down
                await asyncio.sleep(min(2 ** attempt, 30))
        return False
