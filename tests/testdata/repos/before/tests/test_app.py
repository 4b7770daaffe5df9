import unittest
from wsgiref.util import setup_testing_defaults

from app import application


class GreeterTest(unittest.TestCase):
    def test_hello(self):
        environ = {"QUERY_STRING": "name=caulk"}
        setup_testing_defaults(environ)
        body = b"".join(application(environ, lambda status, headers: None))
        self.assertIn(b"hello, caulk", body)
