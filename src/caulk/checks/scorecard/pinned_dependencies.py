"""Scorecard's Pinned-Dependencies check, computed as ``scorecard --local`` does.

Mirrors ``checks/raw/pinned_dependencies.go``, ``checks/raw/shell_download_validate.go``, the
``pinsDependencies`` probe and ``checks/evaluation/pinned_dependencies.go`` (ossf/scorecard @
40c1e35; ../shared/reference/scorecard-checks.md §2.1). Three collectors gather
:class:`~caulk.checks.scorecard.pinning_model.Dependency` objects:

* ``caulk.workflow.pinning.workflow_dependencies``: ``uses:`` actions and ``run:`` scripts;
* ``caulk.dockerfile.pinning.dockerfile_dependencies``: ``FROM`` images and ``RUN`` scripts;
* :func:`caulk.shell.scripts.shell_script_dependencies`: the repository's shell scripts.

Then, as Scorecard's ``postProcessNugetDependencies``, unpinned nuget commands become pinned
when the first parseable ``Directory.*.props`` enables central package management with every
version fixed (``[1.2.3]``), or, without CPM, when every ``*.csproj`` sets
``RestoreLockedMode``.

**Score.** Every dependency type is a group weighted 10, except GitHub Actions: when both
GitHub-owned (``actions/``, ``github/``) and third-party actions exist they are two groups
weighted 2 and 8. ``floor(10·Σpinned·w / Σtotal·w)`` — counts are weighted, not ratios.
Uncounted entries (processing errors such as a shell syntax error) are only logged; with no
counted dependency the check is inconclusive ("no dependencies found"); a collector's runtime
error makes the whole check inconclusive with that error as the reason.

Details follow Scorecard's text output: processing errors (``Info: Possibly incomplete
results: …``), one ``Warn`` per unpinned dependency in Scorecard's collection order, then the
``Info: %3d out of %3d … dependencies pinned`` lines (GitHub Actions first, then the other
types in a fixed order where Go iterates a map). Each ``Warn`` shows the start line only.

Findings: one per unpinned counted dependency with caulk rules CK1010-CK1014. Unpinned
actions and base images are reported by the workflow (CK2001) and Dockerfile (CK1002) rule
packs, so no finding is emitted for them here.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence

from caulk.checks.registry import (
    INCONCLUSIVE,
    MAX_SCORE,
    CheckResult,
    Risk,
    ScoreGroup,
    proportional_score_weighted,
    register_rule,
    scorecard_check,
)
from caulk.checks.scorecard.pinning_model import CollectorError, Dependency, DependencyType
from caulk.findings import Finding, Rule, Severity
from caulk.repo.checkout import Repository

NAME = "Pinned-Dependencies"

GITHUB_OWNED_WEIGHT = 2
THIRD_PARTY_WEIGHT = 8
NORMAL_WEIGHT = GITHUB_OWNED_WEIGHT + THIRD_PARTY_WEIGHT

Collector = Callable[[Repository], list[Dependency]]

_COLLECTORS = (
    ("workflow", "caulk.workflow.pinning", "workflow_dependencies"),
    ("dockerfile", "caulk.dockerfile.pinning", "dockerfile_dependencies"),
    ("shell", "caulk.shell.scripts", "shell_script_dependencies"),
)
"""(kind, module, function) in Scorecard's order: the first runtime error wins."""

_REFERENCE = "OpenSSF Scorecard Pinned-Dependencies (checks/raw/shell_download_validate.go)"

DOWNLOAD_THEN_RUN = register_rule(
    Rule(
        id="CK1010",
        name="download-then-run",
        severity=Severity.HIGH,
        summary="A downloaded script is run without verification",
        why=(
            "`curl … | bash`, `bash <(wget …)` or running a file just fetched executes whatever "
            "the server returns at build time: a compromised host, CDN or DNS entry runs code in "
            "your build or image, and nothing records what ran. Scorecard's Pinned-Dependencies "
            "counts each such command as an unpinned `downloadThenRun` dependency; only a "
            "`raw.githubusercontent.com/<owner>/<repo>/<commit sha>/…` URL piped to a shell is "
            "accepted as pinned."
        ),
        fix=(
            "Download to a file, check it against a known checksum (`echo '<sha256>  f' | "
            "sha256sum -c -`) and only then run it; or fetch the script from a commit-pinned "
            "URL; better, install the tool from a package manager with pinned versions."
        ),
        check=NAME,
        phase=1,
        effort_hours=0.5,
        reference=_REFERENCE,
        # CK1005 (downloaded binary used without a checksum) says the same of the same RUN.
        supersedes=("CK1005",),
    )
)

PIP_UNPINNED = register_rule(
    Rule(
        id="CK1011",
        name="pip-install-without-hashes",
        severity=Severity.MEDIUM,
        summary="pip install without --require-hashes",
        why=(
            "Without `--require-hashes` pip accepts whatever files the index serves for the "
            "requested versions, and resolves unpinned transitive dependencies at install "
            "time, so a build can pull a different (or malicious) package tomorrow. Scorecard "
            "counts such installs as unpinned `pipCommand` dependencies; it accepts "
            "`--require-hashes`, local `*.whl` files, and `--no-deps -e` of a local path or a "
            "git URL pinned to a commit."
        ),
        fix=(
            "Generate a fully hashed lock file (`pip-compile --generate-hashes` or `uv pip "
            "compile --generate-hashes`) and install with `pip install --require-hashes "
            "-r requirements.txt`."
        ),
        check=NAME,
        phase=1,
        effort_hours=0.5,
        reference=_REFERENCE,
    )
)

NPM_UNPINNED = register_rule(
    Rule(
        id="CK1012",
        name="npm-install-not-ci",
        severity=Severity.MEDIUM,
        summary="npm install instead of npm ci",
        why=(
            "`npm install` (and `npm i`, `npm update`) may rewrite the lock file and resolve new "
            "versions; `npm ci` installs exactly what `package-lock.json` records and verifies "
            "each package's integrity hash. Scorecard counts every npm install/update command "
            "as an unpinned `npmCommand` dependency unless it is `npm ci` or installs a git "
            "URL pinned to a commit (`#<sha>`)."
        ),
        fix="Commit `package-lock.json` and use `npm ci` in builds and CI.",
        check=NAME,
        phase=1,
        effort_hours=0.25,
        reference=_REFERENCE,
    )
)

GO_UNPINNED = register_rule(
    Rule(
        id="CK1013",
        name="go-install-without-version",
        severity=Severity.MEDIUM,
        summary="go install/get of a remote module without a pinned version",
        why=(
            "`go install example.com/tool@latest` or `go get example.com/mod` resolves "
            "whatever version is newest at build time, outside the protection of the "
            "project's go.sum. Scorecard counts it as an unpinned `goCommand` dependency unless "
            "the module is given as `@vX.Y.Z` (without `-insecure`), a commit hash or `@none`."
        ),
        fix="Name an exact version: `go install example.com/tool@v1.2.3`.",
        check=NAME,
        phase=1,
        effort_hours=0.1,
        reference=_REFERENCE,
        automatable=False,
    )
)

DOTNET_CHOCO_UNPINNED = register_rule(
    Rule(
        id="CK1014",
        name="choco-nuget-not-pinned",
        severity=Severity.LOW,
        summary="choco or nuget install/restore not pinned",
        why=(
            "`choco install` without `--require-checksums`, `nuget install` without "
            "`-Version`, `dotnet add package` without `--version`, and restores outside locked "
            "mode fetch whatever the feed serves now. Scorecard counts them as unpinned "
            "`chocoCommand`/`nugetCommand` dependencies (nuget ones become pinned when central "
            "package management fixes every version or every project restores in locked mode)."
        ),
        fix=(
            "Use `choco install --require-checksums`; for NuGet, fix versions "
            "(`-Version`, `--version`) and restore with `--locked-mode` / `-LockedMode` from a "
            "committed packages.lock.json, or enable central package management with exact "
            "`[x.y.z]` versions."
        ),
        check=NAME,
        phase=1,
        effort_hours=0.5,
        reference=_REFERENCE,
    )
)

_RULE_FOR_TYPE = {
    DependencyType.DOWNLOAD_THEN_RUN: DOWNLOAD_THEN_RUN,
    DependencyType.PIP_COMMAND: PIP_UNPINNED,
    DependencyType.NPM_COMMAND: NPM_UNPINNED,
    DependencyType.GO_COMMAND: GO_UNPINNED,
    DependencyType.CHOCO_COMMAND: DOTNET_CHOCO_UNPINNED,
    DependencyType.NUGET_COMMAND: DOTNET_CHOCO_UNPINNED,
}
"""Findings emitted here; GitHubAction (CK2001) and containerImage (CK1002) are not."""


# -- collection ------------------------------------------------------------------------------


def _load_collector(module: str, function: str) -> Collector | None:
    """The collector, or None while its module does not exist yet (nothing else is hidden)."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            return None
        raise
    collector: Collector | None = getattr(loaded, function, None)
    return collector


def collect(repo: Repository) -> tuple[list[Dependency], CollectorError | None]:
    """Every dependency, in Scorecard's detail order, and the first collector error.

    Scorecard logs workflow actions, Dockerfile images, Dockerfile ``RUN`` findings, shell
    scripts and workflow ``run:`` findings in that order.
    """
    found: dict[str, list[Dependency]] = {}
    error: CollectorError | None = None
    for kind, module, function in _COLLECTORS:
        collector = _load_collector(module, function)
        if collector is None:
            found[kind] = []
            continue
        try:
            found[kind] = list(collector(repo))
        except CollectorError as exc:
            found[kind] = []
            error = error or exc
    workflow, dockerfile = found["workflow"], found["dockerfile"]
    ordered = [
        *(d for d in workflow if d.type is DependencyType.GITHUB_ACTION),
        *(d for d in dockerfile if d.type is DependencyType.CONTAINER_IMAGE),
        *(d for d in dockerfile if d.type is not DependencyType.CONTAINER_IMAGE),
        *found["shell"],
        *(d for d in workflow if d.type is not DependencyType.GITHUB_ACTION),
    ]
    return apply_nuget_locking(repo, ordered), error


# -- nuget post-processing (postProcessNugetDependencies) -------------------------------------


def apply_nuget_locking(repo: Repository, deps: list[Dependency]) -> list[Dependency]:
    """Re-pin unpinned nuget commands when the repository's project files lock versions."""
    if not any(_counted_unpinned(d) and d.type is DependencyType.NUGET_COMMAND for d in deps):
        return deps
    cpm = _central_package_management(repo)
    if cpm is not None:
        enabled, unfixed = cpm
        if enabled:
            if not unfixed:
                return [_pin_nuget(d) for d in deps]
            suffix = ": some of dependency versions are not fixes to specific versions: "
            return [_note_nuget(d, suffix + ", ".join(unfixed)) for d in deps]
    locked = _csproj_locked_modes(repo)
    unlocked = [path for path, is_locked in locked if not is_locked]
    if len(unlocked) == len(locked):
        return deps
    if not unlocked:
        return [_pin_nuget(d) for d in deps]
    suffix = (
        ": some of your csproj files set the RestoreLockedMode property to true, "
        "while other do not set it: " + ", ".join(unlocked)
    )
    return [_note_nuget(d, suffix) for d in deps]


def _counted_unpinned(dep: Dependency) -> bool:
    return dep.counted and not dep.pinned


def _pin_nuget(dep: Dependency) -> Dependency:
    if dep.type is DependencyType.NUGET_COMMAND and _counted_unpinned(dep):
        return dataclasses.replace(dep, pinned=True, note="")
    return dep


def _note_nuget(dep: Dependency, suffix: str) -> Dependency:
    if dep.type is DependencyType.NUGET_COMMAND and _counted_unpinned(dep):
        return dataclasses.replace(dep, note=dep.note + suffix)
    return dep


def _matching_files(repo: Repository, pattern: str) -> Iterable[str]:
    """``OnMatchingFileContentDo`` with a case-insensitive basename pattern."""
    from caulk.shell.scripts import is_testdata_path

    for path in repo.files:
        if is_testdata_path(path):
            continue
        if fnmatch.fnmatchcase(path.rsplit("/", 1)[-1].lower(), pattern):
            yield path


def _xml_root(repo: Repository, path: str) -> ET.Element | None:
    data = repo.read_bytes(path)
    if data is None:
        return None
    try:
        root = ET.fromstring(data)  # noqa: S314 - expat limits entity expansion; no external entities
    except ET.ParseError as exc:
        repo.add_problem(path, f"malformed XML: {exc}")
        return None
    if _local(root.tag) != "Project":
        repo.add_problem(path, f"expected element type <Project> but have <{_local(root.tag)}>")
        return None
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


_GO_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False", ""), False),
}


def _go_bool(element: ET.Element) -> bool:
    """Go's ``encoding/xml`` into a bool: ``strconv.ParseBool`` of the trimmed direct text."""
    text = (element.text or "") + "".join(child.tail or "" for child in element)
    value = _GO_BOOLS.get(text.strip())
    if value is None:
        raise ValueError(f"strconv.ParseBool: parsing {text.strip()!r}: invalid syntax")
    return value


def _any_true(groups: Sequence[ET.Element], name: str) -> bool:
    """Whether any group's last ``name`` child is true (Go keeps the last value of a field)."""
    for group in groups:
        values = _children(group, name)
        if values and _go_bool(values[-1]):
            return True
    return False


def _central_package_management(repo: Repository) -> tuple[bool, list[str]] | None:
    """(CPM enabled, versions not fixed) from the first parseable ``Directory.*.props``."""
    for path in _matching_files(repo, "directory.*.props"):
        root = _xml_root(repo, path)
        if root is None:
            continue
        try:
            enabled = _any_true(_children(root, "PropertyGroup"), "ManagePackageVersionsCentrally")
        except ValueError as exc:
            repo.add_problem(path, f"malformed properties file: {exc}")
            continue
        unfixed: list[str] = []
        if enabled:
            for group in _children(root, "ItemGroup"):
                for package in _children(group, "PackageVersion"):
                    version = _attribute(package, "Version")
                    if not _is_fixed_version(version):
                        unfixed.append(version)
        return enabled, unfixed
    return None


def _attribute(element: ET.Element, name: str) -> str:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _is_fixed_version(version: str) -> bool:
    """``^\\[[^\\[,]+\\]$``: an exact NuGet version range such as ``[1.2.3]``."""
    return (
        len(version) >= 3
        and version[0] == "["
        and version[-1] == "]"
        and not any(c in "[," for c in version[1:-1])
    )


def _csproj_locked_modes(repo: Repository) -> list[tuple[str, bool]]:
    modes: list[tuple[str, bool]] = []
    for path in _matching_files(repo, "*.csproj"):
        root = _xml_root(repo, path)
        if root is None:
            continue
        try:
            locked = _any_true(_children(root, "PropertyGroup"), "RestoreLockedMode")
        except ValueError as exc:
            repo.add_problem(path, f"malformed csproj file: {exc}")
            continue
        modes.append((path, locked))
    return modes


# -- scoring -----------------------------------------------------------------------------------


def _type_label(dep: Dependency) -> str:
    if dep.type is DependencyType.GITHUB_ACTION:
        owner = "GitHub-owned" if dep.github_owned else "third-party"
        return f"{owner} {dep.type.value}"
    return str(dep.type.value)


def _summary(counts: Sequence[int], label: str) -> str:
    pinned, total = counts
    return f"Info: {pinned:3d} out of {total:3d} {label} dependencies pinned"


def score_dependencies(deps: Sequence[Dependency]) -> tuple[int, tuple[str, ...]]:
    """Scorecard's evaluation: (score or -1, detail lines)."""
    details: list[str] = []
    for dep in deps:
        if not dep.counted:
            note = dep.note.removeprefix("processing error: ")
            details.append(
                f"Info: Possibly incomplete results: {note}: {dep.location.path}:"
                f"{dep.location.line}"
            )
    counts: dict[object, list[int]] = {}
    for dep in deps:
        if not dep.counted:
            continue
        if not dep.pinned:
            text = f"Warn: {_type_label(dep)} not pinned by hash: {dep.location.path}:"
            text += str(dep.location.line)
            if dep.type is DependencyType.NUGET_COMMAND and dep.note:
                text += f": {dep.note}"
            details.append(text)
        key: object = (
            (dep.type, dep.github_owned) if dep.type is DependencyType.GITHUB_ACTION else dep.type
        )
        pinned_total = counts.setdefault(key, [0, 0])
        pinned_total[0] += dep.pinned
        pinned_total[1] += 1
    groups: list[ScoreGroup] = []
    owned = counts.get((DependencyType.GITHUB_ACTION, True))
    third = counts.get((DependencyType.GITHUB_ACTION, False))
    if owned and third:
        details.append(_summary(owned, "GitHub-owned GitHubAction"))
        details.append(_summary(third, "third-party GitHubAction"))
        groups.append(ScoreGroup(owned[0], owned[1], GITHUB_OWNED_WEIGHT))
        groups.append(ScoreGroup(third[0], third[1], THIRD_PARTY_WEIGHT))
    elif owned or third:
        only = owned or third
        assert only is not None
        label = "GitHub-owned GitHubAction" if owned else "third-party GitHubAction"
        details.append(_summary(only, label))
        groups.append(ScoreGroup(only[0], only[1], NORMAL_WEIGHT))
    for dep_type in DependencyType:
        if dep_type is DependencyType.GITHUB_ACTION or dep_type not in counts:
            continue
        pinned, total = counts[dep_type]
        details.append(_summary((pinned, total), dep_type.value))
        groups.append(ScoreGroup(pinned, total, NORMAL_WEIGHT))
    if not groups:
        return INCONCLUSIVE, tuple(details)
    return proportional_score_weighted(groups), tuple(details)


def findings_for(deps: Iterable[Dependency]) -> tuple[Finding, ...]:
    """One finding per unpinned counted dependency of a type this check reports."""
    found: list[Finding] = []
    for dep in deps:
        rule = _RULE_FOR_TYPE.get(dep.type)
        if rule is None or not _counted_unpinned(dep):
            continue
        found.append(
            Finding(
                rule_id=rule.id,
                severity=rule.severity,
                message=f"{rule.summary}: {dep.name}",
                location=dep.location,
                check=NAME,
            )
        )
    return tuple(found)


@scorecard_check(NAME, Risk.MEDIUM)
def pinned_dependencies(repo: Repository) -> CheckResult:
    """Dependencies (actions, base images, downloads, package installs) pinned by hash."""
    deps, error = collect(repo)
    findings = findings_for(deps)
    if error is not None:
        return CheckResult(NAME, INCONCLUSIVE, Risk.MEDIUM, str(error), findings=findings)
    score, details = score_dependencies(deps)
    if score == INCONCLUSIVE:
        reason = "no dependencies found"
    elif score == MAX_SCORE:
        reason = "all dependencies are pinned"
    else:
        reason = f"dependency not pinned by hash detected -- score normalized to {score}"
    return CheckResult(NAME, score, Risk.MEDIUM, reason, details=details, findings=findings)
