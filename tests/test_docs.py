"""Every rule a user can see has its documentation section where its help URI points."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.registry import load_all
from caulk.findings import DOCS_URL

DOCS = Path(__file__).resolve().parents[1] / "docs"
RULES = sorted(load_all().rules.values(), key=lambda r: r.id)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_a_documented_section(rule: object) -> None:
    from caulk.findings import Rule

    assert isinstance(rule, Rule)
    page, _, anchor = rule.help_uri.removeprefix(DOCS_URL + "/").partition("#")
    text = (DOCS / page).read_text(encoding="utf-8")
    headings = {line[3:].strip().lower() for line in text.splitlines() if line.startswith("## ")}
    assert anchor in headings, f"{rule.id}: no '## {anchor}' in docs/{page}"
    assert rule.why and rule.fix and rule.summary


def test_readme_names_the_documented_verbs() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for verb in ("caulk audit", "caulk fix", "caulk inspect", "caulk sbom"):
        assert verb in readme
