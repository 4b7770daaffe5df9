"""checks/dockerfile."""
