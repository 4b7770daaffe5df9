"""vuln."""
