"""One settings object, read from the environment (see .env.example)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from bot.knowledge.loader import PROJECT_ROOT


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    model: Path = PROJECT_ROOT / "models" / "helpdesk.tar.gz"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}/webhook"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        try:
            return cls(
                host=env.get("HELPDESK_HOST", cls.host),
                rasa_port=int(env.get("HELPDESK_RASA_PORT", cls.rasa_port)),
                actions_port=int(env.get("HELPDESK_ACTIONS_PORT", cls.actions_port)),
                model=Path(env.get("HELPDESK_MODEL", str(cls.model))),
            )
        except ValueError as error:
            raise SystemExit(f"Invalid setting in the environment: {error}") from None
