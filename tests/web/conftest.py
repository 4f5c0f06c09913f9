"""The web tests' shared fixture: ``web``, the app behind Litestar's test client (see
``tests/portal_client.py`` for the login and parsing helpers that go with it)."""

from portal_client import web  # noqa: F401 - a fixture, found here by every test module
