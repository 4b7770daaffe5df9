"""Fuzz the WSGI application's query-string handling with atheris."""

import sys

import atheris

with atheris.instrument_imports():
    from app import application


def test_one_input(data: bytes) -> None:
    query = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(256)
    environ = {"PATH_INFO": "/", "QUERY_STRING": query}
    b"".join(application(environ, lambda status, headers: None))


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
