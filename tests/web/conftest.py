"""The web tests' fixtures: ``web``, the app behind Litestar's test client, and ``admin``, the
same with a master user logged in. Their helpers (logins, CSRF tokens, parsing) are in
``tests/support.py``."""

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from support import app_client, staff_logged_in

from espaco.settings import Settings


@pytest.fixture
def web(settings: Settings) -> Iterator[TestClient]:
    """The app on the test's database; nobody logged in."""
    with app_client(settings) as client:
        yield client


@pytest.fixture
def admin(web: TestClient) -> TestClient:
    """``web`` with the master user ``ana`` logged in."""
    staff_logged_in(web, "ana", "master")
    return web
