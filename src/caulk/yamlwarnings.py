"""Keep ruamel.yaml's warnings about a user's YAML off stderr.

ruamel reports some oddities of the document it reads (a reused anchor, a duplicate merge key)
with ``warnings.warn``. Those are facts about the user's file, not about caulk: they must not be
printed as Python warnings in the middle of a report. Every load of untrusted YAML runs inside
:func:`quiet_yaml`.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_yaml() -> Iterator[None]:
    """Silence warnings raised by ruamel.yaml while the block runs."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"ruamel\.yaml")
        yield
