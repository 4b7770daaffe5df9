"""The one error type every caulk verb turns into "caulk: error: …" and exit code 2.

Kept in a module of its own, importing nothing, so the image verbs' fast start-up path
(``caulk.entry``) can catch it without loading the repository reader.
"""


class InputError(Exception):
    """Bad input the user must fix (exit code 2): the message names the file and problem."""
