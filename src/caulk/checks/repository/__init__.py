"""checks/repository."""
