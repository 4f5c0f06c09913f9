"""Piccolo's configuration module (``PICCOLO_CONF=espaco.piccolo_conf``).

``DB`` is set by :func:`espaco.db.database.configure` from the settings before any query runs.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine | None = None

APP_REGISTRY = AppRegistry(apps=["espaco.piccolo_app"])
