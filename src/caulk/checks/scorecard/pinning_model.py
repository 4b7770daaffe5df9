"""The unit of Scorecard's Pinned-Dependencies check: one dependency, pinned or not.

Collectors (``caulk.dockerfile.pinning``, ``caulk.workflow.pinning``, ``caulk.shell``) each
return :class:`Dependency` objects; ``caulk.checks.scorecard.pinned_dependencies`` scores
them (reference: ../shared/reference/scorecard-checks.md §2.1, ``checks/evaluation/
pinned_dependencies.go``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from caulk.findings import Location


class DependencyType(enum.Enum):
    """Scorecard's ``checker.DependencyUseType`` values."""

    GITHUB_ACTION = "GitHubAction"
    CONTAINER_IMAGE = "containerImage"
    DOWNLOAD_THEN_RUN = "downloadThenRun"
    GO_COMMAND = "goCommand"
    PIP_COMMAND = "pipCommand"
    NPM_COMMAND = "npmCommand"
    CHOCO_COMMAND = "chocoCommand"
    NUGET_COMMAND = "nugetCommand"


@dataclass(frozen=True)
class Dependency:
    """One dependency as Scorecard's raw results record it."""

    type: DependencyType
    pinned: bool
    location: Location
    name: str
    """What is depended on: ``actions/checkout@v4``, ``debian:12``, the command line."""
    github_owned: bool = False
    """For GitHub Actions: ``uses`` starts with ``actions/`` or ``github/``."""
    counted: bool = True
    """False for Scorecard's NotSupported/ProcessingError entries (logged, not counted)."""
    note: str = ""
    """Remediation hint or why it is not counted."""


class CollectorError(Exception):
    """A collector's runtime error: Scorecard makes the whole check inconclusive (-1)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        super().__init__(f"{path}{f':{line}' if line else ''}: {message}")
