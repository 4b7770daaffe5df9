"""``python -m caulk``."""

from caulk.cli import main

if __name__ == "__main__":  # worker processes (multiprocessing spawn) import this module too
    main()
