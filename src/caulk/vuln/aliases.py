"""Grouping matched advisories that describe the same vulnerability, so each is reported once.

A DSA and the Debian tracker records of the CVEs it fixes, a USN and its UBUNTU-CVE records,
a GHSA and the PYSEC record that aliases it: all match the same package and version. The
matcher hands the advisories it matched to :func:`alias_groups`, which returns the connected
components of the graph whose nodes are IDs and whose edges join an advisory to

- every ID in its ``aliases`` (the same vulnerability elsewhere),
- every ID in its ``upstream`` (what a distro record derives from), and
- the ``CVE-…`` IDs in its ``related``, **only** when the record has neither ``aliases`` nor
  ``upstream``. Freexian's ELTS records (``ELA-…``) list the CVEs they fix only in
  ``related``; elsewhere (GHSA, OSS-Fuzz) ``related`` names *different* vulnerabilities, and
  following it would merge distinct findings.

IDs that were not matched still join components (``DSA-1`` → ``CVE-X`` ← ``DEBIAN-CVE-X``).
A distro advisory that fixes several CVEs joins all of their records into one group; that is
what a user sees as "one update fixes this".

The representative ``id`` of a group (the scan JSON's ``id``, the rest go to ``aliases``):

1. the CVE, when the group names exactly one ``CVE-…`` ID (matched or referenced) — the name
   users search for and that other scanners print;
2. otherwise the matched advisory that names the most IDs of its group (a DSA covering three
   CVEs rather than one of the per-CVE records), ties broken by the smallest ID.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caulk.vuln.models import Advisory

__all__ = ["AliasGroup", "alias_groups", "linked_ids"]


@dataclass(frozen=True, slots=True)
class AliasGroup:
    """Advisories that describe one vulnerability."""

    id: str
    """The representative ID (see the module doc)."""
    members: tuple[str, ...]
    """The matched advisory IDs in the group, sorted."""
    aliases: tuple[str, ...]
    """Every other ID of the group (matched or referenced), sorted, without :attr:`id`."""


def linked_ids(advisory: Advisory) -> tuple[str, ...]:
    """The IDs that an advisory's edges reach (see the module doc for which ``related`` count)."""
    ids = [*advisory.aliases, *advisory.upstream]
    if not ids:
        ids = [r for r in advisory.related if r.startswith("CVE-")]
    return tuple(dict.fromkeys(i for i in ids if i and i != advisory.id))


def alias_groups(advisories: Iterable[Advisory]) -> list[AliasGroup]:
    """Group matched advisories into connected components; groups sorted by representative."""
    matched: dict[str, Advisory] = {}
    for advisory in advisories:
        matched.setdefault(advisory.id, advisory)
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = parent.setdefault(node, node)
        while root != parent[root]:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    edges = {ident: linked_ids(advisory) for ident, advisory in matched.items()}
    for ident, others in edges.items():
        find(ident)
        for other in others:
            union(ident, other)

    components: dict[str, list[str]] = {}
    for node in parent:
        components.setdefault(find(node), []).append(node)

    groups: list[AliasGroup] = []
    for nodes in components.values():
        members = sorted(n for n in nodes if n in matched)
        if not members:
            continue
        everything = set(nodes)
        cves = sorted(n for n in everything if n.startswith("CVE-"))
        if len(cves) == 1:
            representative = cves[0]
        else:
            representative = min(members, key=lambda m: (-len(set(edges[m]) & everything), m))
        groups.append(
            AliasGroup(
                id=representative,
                members=tuple(members),
                aliases=tuple(sorted(everything - {representative})),
            )
        )
    return sorted(groups, key=lambda g: g.id)
