"""The application factory: ``create_app(settings) -> Litestar``."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, ImproperlyConfiguredException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.utils.scope.state import ScopeState

from espaco import db, logs, production
from espaco.clock import Clock
from espaco.db import database
from espaco.domain.errors import NotFound
from espaco.resources import resource_dir
from espaco.services.access import api_tokens
from espaco.services.collections import pendencias_email
from espaco.services.operations import housekeeping, outbox
from espaco.settings import Settings, SettingsError
from espaco.web import (
    admin,
    api,
    avisos,
    coletas,
    compression,
    dossie,
    errors,
    financeiro,
    guards,
    portal_auth,
    public,
    relatorio,
    solicitacoes,
)
from espaco.web.auth import LoginRequired
from espaco.web.csrf import csrf_protection
from espaco.web.limits import FORM_MAX_BYTES, request_guard
from espaco.web.redirects import login_required_handler
from espaco.web.security import security_headers
from espaco.web.static import StaticFiles, serve_static
from espaco.web.templating import create_environment

GC_THRESHOLD = 50_000  # allocations between young collections (CPython's default: 700)

log = logging.getLogger("espaco")


def create_app(
    settings: Settings, *, run_migrations: bool = True, clock: Clock | None = None
) -> Litestar:
    """Build the portal for ``settings``; start-up opens the database and applies migrations.
    ``clock``: where the web layer reads the time (the system's by default; tests pin it)."""
    clock = clock or Clock(settings.tz)
    static = StaticFiles(resource_dir("static"))
    templates = create_environment(settings, static)

    def base_context(request: Request) -> dict[str, Any]:
        return {
            "request": request,
            "settings": settings,
            "csrf_token": ScopeState.from_scope(request.scope).csrf_token or "",
        }

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = database.configure(settings)
        await database.start(engine)
        if settings.database_kind == "sqlite":
            log.info("SQLite %s at %s", db.sqlite_version(), settings.sqlite_path)
        else:
            log.info("PostgreSQL at %s", db.database_path_for_log(settings))
        try:
            if run_migrations:
                await database.migrate(backup_to=settings.backup_dir)
            if await api_tokens.seed_bootstrap(settings, now=clock.now()):
                log.info("API token from ESPACO_API_TOKEN created")
            stop_sender = asyncio.Event()
            sender = asyncio.create_task(
                outbox.run_sender(settings, stop_sender), name="espaco-outbox-sender"
            )
            purger = asyncio.create_task(housekeeping.run(stop_sender), name="espaco-housekeeping")
            weekly = asyncio.create_task(
                pendencias_email.run_weekly(settings, stop_sender), name="espaco-pendencias"
            )
            # What start-up made (modules, templates, settings) lives as long as the process:
            # kept out of the collector, a full collection walks only what requests made. Measured
            # on the Coletas page: a full collection while serving took 61 ms before, 0.4 ms after
            # (each one a stall of every open connection).
            gc.freeze()
            # A young collection every 700 allocations walks whatever the requests in flight hold
            # (32 Coletas pages: ~60,000 objects) and promotes it, so full collections of 20-60 ms
            # came every few seconds under load. Reference counting frees nearly all of it; the
            # collector is for cycles, which a request rarely makes.
            gc.set_threshold(GC_THRESHOLD, 10, 10)
            try:
                yield
            finally:
                stop_sender.set()
                await purger
                await asyncio.wait_for(weekly, timeout=30)
                try:
                    await asyncio.wait_for(sender, timeout=30)
                except TimeoutError:
                    log.warning("e-mail sender did not stop within 30 s; cancelled")
        finally:
            await database.stop(engine)

    app = Litestar(
        route_handlers=[
            public.root,
            public.health,
            serve_static,
            portal_auth.login_page,
            portal_auth.login_submit,
            portal_auth.logout,
            portal_auth.home,
            *financeiro.ROUTES,
            *coletas.ROUTES,
            *relatorio.ROUTES,
            *dossie.ROUTES,
            *solicitacoes.ROUTES,
            *avisos.ROUTES,
            *admin.ROUTES,
            api.router(settings.max_body_mb * 1024 * 1024),
        ],
        dependencies=guards.DEPENDENCIES,
        exception_handlers={
            LoginRequired: login_required_handler,
            NotFound: errors.not_found,
            HTTPException: errors.http_error,
            Exception: errors.server_error,
        },
        # Forms: a few KB (web/limits.py); the API router and its uploads set their own.
        request_max_body_size=FORM_MAX_BYTES,
        lifespan=[lifespan],
        # request_guard first: it counts a form's fields before the CSRF check parses it.
        middleware=[request_guard, csrf_protection(settings)],
        before_send=[security_headers(settings)],
        # Each whole body in one call, with zlib-ng (web/compression.py).
        compression_config=CompressionConfig(
            backend="gzip",
            middleware_class=compression.WholeBodyGzip,
            minimum_size=500,
            gzip_compress_level=compression.LEVEL,
            exclude=["^/static/", r"^/coletas/dossie\.zip"],
        ),
        state=State(
            {
                "settings": settings,
                "clock": clock,
                "static": static,
                "templates": templates,
                "base_context": base_context,
            }
        ),
        # Only the ERP API is documented (its router opts in); the pages are not an API.
        openapi_config=OpenAPIConfig(
            title="Espaço do Cliente — API de integração com o ERP",
            version="1",
            openapi_router=Router(path="/api/docs", route_handlers=[], opt=guards.PUBLIC),
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        ),
        include_in_schema=False,
        debug=False,
        # Litestar's default adds a second handler in its own format: one format (espaco.logs).
        logging_config=None,
    )
    if missing := guards.undeclared(app):  # every route says who may open it (web/guards.py)
        raise ImproperlyConfiguredException(f"routes without one role: {', '.join(missing)}")
    return app


def app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory espaco.app:app_from_env`` (what ``espaco serve`` runs)."""
    logs.configure()
    if production.is_production() and (reasons := production.refusals()):
        raise SettingsError("\n".join(reasons))
    return create_app(Settings.from_env(), run_migrations=False)
