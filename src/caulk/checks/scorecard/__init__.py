"""checks/scorecard."""
