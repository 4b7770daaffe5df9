"""OpenVEX: statements that say a product is not affected by a vulnerability, and what they hide.

Reads OpenVEX JSON documents (https://github.com/openvex/spec, ``v0.2.0``; the ``v0.0.x`` shape
with string ``vulnerability`` and string ``products`` is accepted too), from ``--vex FILE`` or
from an in-toto statement attached to the image (predicate type ``https://openvex.dev/ns…``,
what Docker Scout and Docker Hardened Images publish; reference/scout-grade-and-scanners.md §3).

A statement applies to a :class:`~caulk.vuln.matcher.Vulnerability` when

- its ``vulnerability.name`` or one of its ``vulnerability.aliases`` is the vulnerability's ID
  or one of its aliases, and
- one of its ``products`` is the package (purl: same type, namespace, name; the product's
  version and qualifiers, when given, must agree), or is the image (a ``sha256:`` digest, or a
  ``pkg:oci``/``pkg:docker`` purl whose version is the manifest, index or config digest) with
  no ``subcomponents`` or with one that is the package.

Statements are applied in ``timestamp`` order (document order for ties), the last one that
applies deciding, as the spec says later statements supersede earlier ones. Only
``not_affected`` suppresses: the vulnerability moves from the report into the "suppressed" list
with the statement's justification and impact statement, so the output says what VEX hid and
why. ``affected``, ``fixed`` and ``under_investigation`` leave the vulnerability reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from caulk.vuln.matcher import Vulnerability

__all__ = [
    "OPENVEX_PREDICATE_PREFIX",
    "STATUSES",
    "Suppression",
    "VexError",
    "VexStatement",
    "apply_vex",
    "is_vex_predicate",
    "load_vex_file",
    "parse_vex",
]

OPENVEX_PREDICATE_PREFIX = "https://openvex.dev/ns"
STATUSES = ("not_affected", "affected", "fixed", "under_investigation")


class VexError(ValueError):
    """A document that is not OpenVEX; the message names the problem."""


@dataclass(frozen=True, slots=True)
class VexProduct:
    """One ``products[]`` entry: an identifier and its optional subcomponents."""

    id: str
    subcomponents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VexStatement:
    """One OpenVEX statement."""

    vulnerability: str
    aliases: tuple[str, ...]
    products: tuple[VexProduct, ...]
    status: str
    justification: str = ""
    impact_statement: str = ""
    timestamp: str = ""
    origin: str = ""
    """Where the statement came from: a file path or ``attestation sha256:…``."""

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.vulnerability, *self.aliases))


@dataclass(frozen=True, slots=True)
class Suppression:
    """A vulnerability that a ``not_affected`` statement removed from the report."""

    vulnerability: Vulnerability
    statement: VexStatement


def is_vex_predicate(predicate_type: str) -> bool:
    """Whether an in-toto predicate type is OpenVEX."""
    return predicate_type.startswith(OPENVEX_PREDICATE_PREFIX)


def _product_ids(raw: Any, where: str) -> tuple[VexProduct, ...]:
    out: list[VexProduct] = []
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, str):
            out.append(VexProduct(item))
            continue
        if not isinstance(item, Mapping):
            raise VexError(f"{where}: a product is neither a string nor an object")
        ident = item.get("@id")
        identifiers = item.get("identifiers")
        if not isinstance(ident, str) and isinstance(identifiers, Mapping):
            purl = identifiers.get("purl")
            ident = purl if isinstance(purl, str) else None
        subs: list[str] = []
        for sub in item.get("subcomponents") or ():
            if isinstance(sub, str):
                subs.append(sub)
            elif isinstance(sub, Mapping):
                sub_id = sub.get("@id")
                sub_ids = sub.get("identifiers")
                if not isinstance(sub_id, str) and isinstance(sub_ids, Mapping):
                    sub_id = sub_ids.get("purl")
                if isinstance(sub_id, str):
                    subs.append(sub_id)
        if isinstance(ident, str):
            out.append(VexProduct(ident, tuple(subs)))
    return tuple(out)


def parse_vex(document: object, origin: str) -> tuple[VexStatement, ...]:
    """The statements of one decoded OpenVEX document; raises :class:`VexError`."""
    if not isinstance(document, Mapping):
        raise VexError(f"{origin}: an OpenVEX document is a JSON object")
    context = document.get("@context")
    if not (isinstance(context, str) and context.startswith(OPENVEX_PREDICATE_PREFIX)):
        raise VexError(f"{origin}: not an OpenVEX document (@context is {context!r})")
    raw_statements = document.get("statements")
    if not isinstance(raw_statements, list):
        raise VexError(f"{origin}: 'statements' is missing or not a list")
    default_time = document.get("timestamp")
    out: list[VexStatement] = []
    for index, raw in enumerate(raw_statements):
        where = f"{origin}: statements[{index}]"
        if not isinstance(raw, Mapping):
            raise VexError(f"{where} is not an object")
        vuln = raw.get("vulnerability")
        aliases: tuple[str, ...] = ()
        if isinstance(vuln, Mapping):
            name = vuln.get("name") or vuln.get("@id")
            raw_aliases = vuln.get("aliases")
            if isinstance(raw_aliases, list):
                aliases = tuple(a for a in raw_aliases if isinstance(a, str))
        else:
            name = vuln
        if not isinstance(name, str) or not name:
            raise VexError(f"{where}: 'vulnerability' names no vulnerability")
        status = raw.get("status")
        if status not in STATUSES:
            raise VexError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}")
        timestamp = raw.get("timestamp") or default_time
        out.append(
            VexStatement(
                vulnerability=name,
                aliases=aliases,
                products=_product_ids(raw.get("products"), where),
                status=str(status),
                justification=str(raw.get("justification") or ""),
                impact_statement=str(raw.get("impact_statement") or ""),
                timestamp=timestamp if isinstance(timestamp, str) else "",
                origin=origin,
            )
        )
    return tuple(out)


def load_vex_file(path: Path) -> tuple[VexStatement, ...]:
    """Read and parse one OpenVEX file; unreadable or invalid files raise :class:`VexError`."""
    try:
        data = json.loads(Path(path).read_bytes())
    except OSError as exc:
        raise VexError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise VexError(f"{path}: not JSON: {exc}") from None
    return parse_vex(data, str(path))


@dataclass(frozen=True, slots=True)
class _Purl:
    type: str
    namespace: str
    name: str
    version: str
    qualifiers: frozenset[tuple[str, str]]


def _parse_purl(text: str) -> _Purl | None:
    if not text.startswith("pkg:"):
        return None
    rest = text[4:].split("#", 1)[0]
    rest, _, query = rest.partition("?")
    qualifiers = frozenset(
        (k.lower(), unquote(v))
        for k, _, v in (item.partition("=") for item in query.split("&") if item)
    )
    path, _, version = rest.partition("@")
    segments = [unquote(s) for s in path.strip("/").split("/") if s]
    if len(segments) < 2:
        return None
    kind = segments[0].lower()
    return _Purl(kind, "/".join(segments[1:-1]), segments[-1], unquote(version), qualifiers)


def _names_package(product: str, vuln: Vulnerability) -> bool:
    wanted = _parse_purl(product)
    have = _parse_purl(vuln.purl)
    if wanted is None or have is None:
        return False
    if (wanted.type, wanted.namespace.lower(), wanted.name.lower()) != (
        have.type,
        have.namespace.lower(),
        have.name.lower(),
    ):
        return False
    if wanted.version and wanted.version != have.version:
        return False
    return wanted.qualifiers <= have.qualifiers


def _names_image(product: str, image_digests: frozenset[str]) -> bool:
    if product in image_digests:
        return True
    parsed = _parse_purl(product)
    if parsed is None or parsed.type not in ("oci", "docker"):
        return False
    return parsed.version in image_digests


def _applies(statement: VexStatement, vuln: Vulnerability, image_digests: frozenset[str]) -> bool:
    if not (statement.ids & vuln.ids):
        return False
    for product in statement.products:
        if _names_package(product.id, vuln):
            return True
        if _names_image(product.id, image_digests):
            if not product.subcomponents:
                return True
            if any(_names_package(sub, vuln) for sub in product.subcomponents):
                return True
    return False


def apply_vex(
    vulnerabilities: Sequence[Vulnerability],
    statements: Iterable[VexStatement],
    image_digests: Iterable[str] = (),
) -> tuple[tuple[Vulnerability, ...], tuple[Suppression, ...]]:
    """``(kept, suppressed)``: the vulnerabilities a ``not_affected`` statement does not hide,
    and those it does, each with the deciding statement."""
    ordered = sorted(enumerate(statements), key=lambda pair: (pair[1].timestamp, pair[0]))
    digests = frozenset(d for d in image_digests if d)
    kept: list[Vulnerability] = []
    hidden: list[Suppression] = []
    for vuln in vulnerabilities:
        decision: VexStatement | None = None
        for _, statement in ordered:
            if _applies(statement, vuln, digests):
                decision = statement
        if decision is not None and decision.status == "not_affected":
            hidden.append(Suppression(vuln, decision))
        else:
            kept.append(vuln)
    return tuple(kept), tuple(hidden)
