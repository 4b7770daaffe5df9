"""greeter: a WSGI application that says hello."""

import json
import os


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    name = environ.get("QUERY_STRING", "").partition("name=")[2] or "world"
    body = json.dumps({"greeting": f"hello, {name}", "pod": os.environ.get("HOSTNAME", "")})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]
