"""`python -m bot.web`: serves the gateway on HELPDESK_HOST:HELPDESK_PORT."""
import logging

import uvicorn

from bot.settings import Settings
from bot.web.app import create_app

MAX_FRAME = 64 * 1024  # a widget message is at most 2,000 characters; refuse floods of bytes early


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.gateway_port, ws="wsproto", ws_max_size=MAX_FRAME,
                log_level="info", access_log=False)


if __name__ == "__main__":
    main()
