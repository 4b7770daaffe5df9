"""The fixture repositories hold their own (example) tests; they are data, not caulk's tests."""

collect_ignore_glob = ["*"]
