"""The earlier name of ``tests/support.py`` (the portal helpers), kept so that tests written
against it still import; new tests import ``support`` (the ``web`` fixture is in
``tests/web/conftest.py``)."""

from support import HX, call, login, soup  # noqa: F401 - re-exported
