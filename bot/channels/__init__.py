"""Channels: how users reach the help desk (website widget, Telegram)."""
