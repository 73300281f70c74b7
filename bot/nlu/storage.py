"""Saving scikit-learn objects inside a Rasa model with skops (no pickle, as Rasa does)."""
from __future__ import annotations

from typing import Any, Dict

import skops.io as sio
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

# Types our components store beyond skops' defaults; anything else is refused on load.
TRUSTED_TYPES = [
    "numpy.float64",
    "numpy.int64",
    "scipy.sparse._csr.csr_matrix",
    "builtins.slice",
]


def save(model_storage: ModelStorage, resource: Resource, objects: Dict[str, Any]) -> None:
    with model_storage.write_to(resource) as directory:
        for name, obj in objects.items():
            sio.dump(obj, directory / f"{name}.skops")


def load(model_storage: ModelStorage, resource: Resource, name: str, optional: bool = False) -> Any:
    """The object saved as `name`; None for a missing optional one."""
    with model_storage.read_from(resource) as directory:
        path = directory / f"{name}.skops"
        if optional and not path.exists():
            return None
        found = sio.get_untrusted_types(file=path)
        unexpected = [t for t in found if t not in TRUSTED_TYPES]
        if unexpected:
            raise ValueError(f"refusing to load {path.name}: unexpected types {unexpected}")
        return sio.load(path, trusted=found)
