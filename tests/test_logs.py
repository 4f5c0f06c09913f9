"""The log lines never carry a calendar feed's token: its path is the credential."""

from __future__ import annotations

import logging

from espaco import logs

TOKEN = "pXXgjnyITzbDbL1pZF2D21k6XqVdxybuQUIrQqVBBec"


def test_uvicorns_access_line_of_a_feed_has_its_token_masked(caplog):
    logs.configure()
    logs.configure()  # once per process is the rule, twice must not stack filters
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, logs.HideFeedTokens) for f in access.filters) == 1
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # uvicorn's own call (the same in protocols/http/h11_impl.py and httptools_impl.py)
        access.info(
            '%s - "%s %s HTTP/%s" %d', "10.0.0.7:5123", "GET", f"/agenda/{TOKEN}.ics", "1.1", 200
        )
        access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.7:5123", "GET", "/coletas?x=1", "1.1", 200)
    first, second = (r.getMessage() for r in caplog.records)
    assert TOKEN not in first and '"GET /agenda/… HTTP/1.1" 200' in first
    assert second.endswith('"GET /coletas?x=1 HTTP/1.1" 200')
