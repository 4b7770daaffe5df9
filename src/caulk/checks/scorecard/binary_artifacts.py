"""Scorecard's Binary-Artifacts check, computed as ``scorecard --local`` does.

Mirrors ``checks/raw/binary_artifact.go``, the ``hasUnverifiedBinaryArtifacts`` probe and
``checks/evaluation/binary_artifacts.go`` (ossf/scorecard @ 40c1e359). Score =
``max(10 - #binary files, 0)``.

Every file except those under ``testdata/`` or ``src/test/`` (at any depth) is read, the first
1024 bytes only; empty files are skipped. A file is a binary when:

* h2non/filetype (v1.1.3) recognises its magic as one of Scorecard's binary types. The ones a
  1024-byte prefix can show are exe (``MZ``), elf, macho (which includes Java's ``CAFEBABE``),
  wasm, dex, dey, deb, rpm and crx; or
* its extension (case-sensitive, as Go's ``filepath.Ext``) is one of :data:`BINARY_TYPES` and
  the content is not text: a byte below 0x20 other than ``\\n``, ``\\t`` or ``\\r``, ignoring
  the last three bytes of the prefix (``isText``).

The gradle-wrapper exception needs a successful workflow run at the latest commit (GitHub
API), so it never applies locally, as in ``scorecard --local``.

Deviations: filetype iterates a Go map, so when a ``.deb`` also matches the plain ``ar`` magic
Scorecard may report ``ar`` (not a binary type) at random; caulk always calls it ``deb``. A file
that cannot be read (a symlink out of the checkout, a FIFO) makes Scorecard fail the check;
caulk does the same (inconclusive, the file named), but skips dangling symlinks as Scorecard's
file listing does.
"""

from __future__ import annotations

from caulk.checks.registry import MAX_SCORE, CheckResult, Risk, scorecard_check
from caulk.checks.repository.rules import BINARY_ARTIFACT
from caulk.findings import Finding, Location
from caulk.repo.checkout import Repository

NAME = "Binary-Artifacts"

BINARY_TEST_LEN = 1024
"""``binaryTestLen``: how many bytes are read per file."""

BINARY_TYPES = frozenset(
    {
        "crx", "deb", "dex", "dey", "elf", "o", "a", "so", "macho", "iso", "class", "jar",
        "bundle", "dylib", "lib", "msi", "dll", "drv", "efi", "exe", "ocx", "pyc", "pyo",
        "par", "rpm", "wasm", "whl",
    }
)  # fmt: skip
"""``binaryFileTypes``: filetype names and file extensions that count as binaries."""

_TEXT_CONTROLS = frozenset(b"\n\t\r")

_MACHO_MAGICS = (
    b"\xfe\xed\xfa\xcf",
    b"\xfe\xed\xfa\xce",
    b"\xbe\xba\xfe\xca",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)


def is_testdata_path(path: str) -> bool:
    """``fileparser.isTestdataFile``: ``testdata/`` or ``src/test/`` at any depth."""
    return (
        path.startswith(("testdata/", "src/test/")) or "/testdata/" in path or "/src/test/" in path
    )


def _dex(buf: bytes) -> bool:
    return len(buf) > 36 and buf[:4] == b"dex\n" and buf[36] == 0x70


def magic_type(buf: bytes) -> str | None:
    """The binary type h2non/filetype v1.1.3 gives ``buf``, among Scorecard's binary types."""
    if len(buf) >= 8 and buf[:8] == b"\x00asm\x01\x00\x00\x00":
        return "wasm"
    if _dex(buf):
        return "dex"
    if len(buf) > 100 and buf[:4] == b"dey\n" and _dex(buf[40:100]):
        return "dey"
    if buf[:2] == b"MZ":
        return "exe"
    if buf[:4] == b"Cr24":
        return "crx"
    if buf.startswith(b"!<arch>\ndebian-binary"):
        return "deb"
    if len(buf) > 96 and buf[:4] == b"\xed\xab\xee\xdb":
        return "rpm"
    if len(buf) > 52 and buf[:4] == b"\x7fELF":
        return "elf"
    if len(buf) > 3 and buf[:4] in _MACHO_MAGICS:
        return "macho"
    return None


def is_text(buf: bytes) -> bool:
    """``isText``: no control byte other than ``\\n\\t\\r`` before the last three bytes.

    Go ranges over the prefix as UTF-8 and stops at the first rune starting within the last
    ``utf8.UTFMax - 1`` bytes; control characters are always single bytes in UTF-8, so the test
    reduces to the bytes at index ``< len - 3``.
    """
    buf = buf[:BINARY_TEST_LEN]
    return not any(
        byte < 0x20 and byte not in _TEXT_CONTROLS for byte in buf[: max(len(buf) - 3, 0)]
    )


def go_ext(path: str) -> str:
    """Go's ``filepath.Ext``: from the last ``.`` of the last element, else empty."""
    base = path.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if dot >= 0 else ""


def binary_kind(path: str, head: bytes) -> str | None:
    """Why ``path`` with first bytes ``head`` is a binary (its type), or None."""
    if not head:
        return None
    kind = magic_type(head)
    if kind is not None:
        return kind
    ext = go_ext(path).replace(".", "")
    if ext in BINARY_TYPES and not is_text(head):
        return ext
    return None


@scorecard_check(NAME, Risk.HIGH)
def binary_artifacts(repo: Repository) -> CheckResult:
    """Binary-Artifacts: one point off per checked-in binary file."""
    found: list[tuple[str, str]] = []
    for path in repo.files:
        if is_testdata_path(path):
            continue
        head = repo.head(path, BINARY_TEST_LEN)
        if head is None:
            if is_dangling_symlink(repo, path):
                continue  # Scorecard's listing skips dangling symlinks
            return CheckResult(
                name=NAME,
                score=-1,
                risk=Risk.HIGH,
                reason=f"cannot read {path}",
                details=(f"Warn: cannot read {path}; Scorecard fails the check on it",),
            )
        kind = binary_kind(path, head)
        if kind is not None:
            found.append((path, kind))

    if not found:
        return CheckResult(
            name=NAME, score=MAX_SCORE, risk=Risk.HIGH, reason="no binaries found in the repo"
        )
    findings = tuple(
        Finding(
            rule_id=BINARY_ARTIFACT.id,
            severity=BINARY_ARTIFACT.severity,
            message=f"binary artifact ({kind}) checked in: {path}",
            location=Location(path),
            check=NAME,
        )
        for path, kind in found
    )
    return CheckResult(
        name=NAME,
        score=max(MAX_SCORE - len(found), 0),
        risk=Risk.HIGH,
        reason="binaries present in source code",
        details=tuple(f"Warn: binary detected: {path}:1" for path, _ in found),
        findings=findings,
    )


def is_dangling_symlink(repo: Repository, path: str) -> bool:
    """Scorecard's ``--local`` listing skips symlinks whose target is missing."""
    full = repo.root / path
    return full.is_symlink() and not full.exists()
