"""Coverage-guided fuzzing of caulk's parsers of untrusted input (atheris/libFuzzer).

    pip install atheris
    python fuzz/fuzz_parsers.py -max_total_time=300 fuzz/corpus

Every input must parse or be rejected with a recorded problem; any exception is a bug.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from caulk.dockerfile.parser import parse_dockerfile
    from caulk.workflow.load import parse_workflow


def test_one_input(data: bytes) -> None:
    """Feed one input to each parser; they must never raise."""
    text = data.decode("utf-8", errors="replace")
    parse_dockerfile(text, "Dockerfile")
    parse_workflow(".github/workflows/fuzz.yml", text)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
