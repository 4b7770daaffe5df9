"""Checks: one module per Scorecard check or rule family, registered on import.

``MODULES`` lists them in the order their results are shown. A new check is a new module
here plus its line below; see docs/rules.md and docs/scorecard.md for what each one mirrors.
"""

MODULES: tuple[str, ...] = (
    # Scorecard-compatible checks (checks/scorecard/<check>.py)
    "caulk.checks.scorecard.binary_artifacts",
    "caulk.checks.scorecard.dangerous_workflow",
    "caulk.checks.scorecard.dependency_update_tool",
    "caulk.checks.scorecard.fuzzing",
    "caulk.checks.scorecard.license",
    "caulk.checks.scorecard.packaging",
    "caulk.checks.scorecard.pinned_dependencies",
    "caulk.checks.scorecard.sast",
    "caulk.checks.scorecard.security_policy",
    "caulk.checks.scorecard.token_permissions",
    "caulk.checks.scorecard.api_only",
    # caulk rule packs
    "caulk.checks.dockerfile.rules",
    "caulk.checks.workflow.rules",
    "caulk.checks.repository.rules",
)
