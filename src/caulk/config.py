"""Audit configuration: ``[tool.caulk]`` in ``pyproject.toml`` or a ``.caulk.toml``.

``.caulk.toml`` wins when both exist. Keys (docs/configuration.md):

* ``select`` / ``ignore``: rule IDs or prefixes (``DL3``, ``CK1``) to keep or drop;
* ``per-path-ignores``: ``{glob = [rule IDs]}``;
* ``exclude``: globs of paths not analysed at all;
* ``fail-on``: the default of ``--fail-on``.

Inline ``# caulk: ignore[RULE,…]`` (or a bare ``# caulk: ignore``) on a finding's line or the
line above it suppresses it.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caulk.errors import InputError
from caulk.findings import Finding, Severity

_KNOWN_KEYS = frozenset(
    {"select", "ignore", "per-path-ignores", "exclude", "ignore-paths", "fail-on", "policies"}
)


@dataclass(frozen=True)
class Config:
    """The effective configuration of an audit."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Severity | None = None
    source: str | None = None
    """The file the configuration came from."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Sections other verbs read (``policies`` for scan)."""

    def merged(
        self,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        fail_on: Severity | None = None,
    ) -> Config:
        """Command-line options on top of the file's."""
        return Config(
            select=select or self.select,
            ignore=self.ignore + ignore,
            per_path_ignores=self.per_path_ignores,
            exclude=self.exclude,
            fail_on=fail_on if fail_on is not None else self.fail_on,
            source=self.source,
            extra=self.extra,
        )

    def keeps(self, finding: Finding) -> bool:
        """Whether ``finding`` survives select/ignore/per-path-ignores."""
        rule = finding.rule_id
        if self.select and not _matches_any(rule, self.select):
            return False
        if _matches_any(rule, self.ignore):
            return False
        if finding.location is not None:
            path = finding.location.path
            for pattern, rules in self.per_path_ignores:
                if fnmatch.fnmatchcase(path, pattern) and _matches_any(rule, rules):
                    return False
        return True


def _matches_any(rule_id: str, patterns: tuple[str, ...]) -> bool:
    return any(rule_id == p or (p and rule_id.startswith(p)) or p in {"ALL", "*"} for p in patterns)


def load_config(root: Path) -> Config:
    """Read the configuration of the repository at ``root``; bad files raise InputError."""
    dedicated = root / ".caulk.toml"
    if dedicated.is_file():
        return _parse(dedicated, _read_toml(dedicated), dedicated.name)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        tool = data.get("tool", {})
        section = tool.get("caulk") if isinstance(tool, dict) else None
        if isinstance(section, dict):
            return _parse(pyproject, section, "pyproject.toml [tool.caulk]")
    return Config()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _string_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(f"{path}: '{key}' must be a list of strings")


def _parse(path: Path, data: dict[str, Any], source: str) -> Config:
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise InputError(f"{path}: unknown caulk setting(s): {', '.join(unknown)}")
    per_path: list[tuple[str, tuple[str, ...]]] = []
    raw_per_path = data.get("per-path-ignores", {})
    if not isinstance(raw_per_path, dict):
        raise InputError(f"{path}: 'per-path-ignores' must be a table of glob = [rule IDs]")
    for pattern, rules in raw_per_path.items():
        per_path.append((pattern, _string_list(path, f"per-path-ignores.{pattern}", rules)))
    fail_on: Severity | None = None
    if "fail-on" in data:
        try:
            fail_on = Severity.parse(str(data["fail-on"]))
        except ValueError as exc:
            raise InputError(f"{path}: fail-on: {exc}") from None
    exclude = _string_list(path, "exclude", data.get("exclude", [])) + _string_list(
        path, "ignore-paths", data.get("ignore-paths", [])
    )
    policies = data.get("policies", {})
    return Config(
        select=_string_list(path, "select", data.get("select", [])),
        ignore=_string_list(path, "ignore", data.get("ignore", [])),
        per_path_ignores=tuple(per_path),
        exclude=exclude,
        fail_on=fail_on,
        source=source,
        extra={"policies": policies} if policies else {},
    )
