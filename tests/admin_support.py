"""The earlier name of ``tests/support.py`` (the back-office helpers), kept so that tests written
against it still import; new tests import ``support``."""

from support import (  # noqa: F401 - re-exported
    PASSWORD,
    client_login,
    cnpj,
    cpf,
    csrf_token,
    make_client,
    make_staff,
    message,
    now,
    post,
    soup,
    staff_login,
)
from support import call as run  # noqa: F401 - the earlier name of call
