"""``python -m caulk``."""

from caulk.entry import main

if __name__ == "__main__":  # worker processes (multiprocessing spawn) import this module too
    main()
