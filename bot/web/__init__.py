"""The gateway web app: widget channel, demo page, Telegram webhook, health."""
