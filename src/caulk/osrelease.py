"""Parse ``os-release(5)`` files: ``KEY=VALUE`` lines with shell-style quoting.

Shared by the image facts (``caulk.image``) and the OS cataloger (``caulk.catalog``); pure,
with no imports from either.
"""

from __future__ import annotations

import re

_UNESCAPE = re.compile(r"\\([\\$\"`])")


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=VALUE lines with shell-style quoting; comments and junk lines are ignored."""
    fields: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
            value = _UNESCAPE.sub(r"\1", value)
        fields[key.strip()] = value
    return fields
