"""``python -m caulk``."""

from caulk.cli import main

main()
