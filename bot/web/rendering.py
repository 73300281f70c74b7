"""Jinja2 templates of the web app (autoescaping on: user text is always escaped)."""
from pathlib import Path

from starlette.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
