"""checks/workflow."""
