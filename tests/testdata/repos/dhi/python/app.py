"""Prints the version of the packaging library, then exits."""

from importlib.metadata import version

print("packaging", version("packaging"))
