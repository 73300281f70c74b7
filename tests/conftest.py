import shutil
from pathlib import Path

import pytest

from bot.knowledge.loader import PROJECT_ROOT, load_knowledge

SHARED_REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    """A writable copy of knowledge/ and conversation/ to break on purpose."""
    for folder in ("knowledge", "conversation"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    return tmp_path
