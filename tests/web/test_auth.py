"""The client IP the login throttle counts: a proxy header is believed only from a trusted proxy."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from espaco.web.auth import client_ip


def request(peer: str, forwarded: str | None = None):
    headers = {"x-forwarded-for": forwarded} if forwarded is not None else {}
    return SimpleNamespace(client=SimpleNamespace(host=peer), headers=headers)


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "expected"),
    [
        ((), "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # nobody trusted: the peer
        (("10.0.0.0/8",), "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # peer not a proxy
        (("10.0.0.0/8",), "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # a client may send its own X-Forwarded-For: only the hop our proxy added counts
        (("10.0.0.0/8",), "10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        (("10.0.0.0/8", "127.0.0.1"), "127.0.0.1", "198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (("10.0.0.0/8",), "10.0.0.2", "", "10.0.0.2"),
        (("10.0.0.0/8",), "10.0.0.2", "não-é-ip", "10.0.0.2"),
    ],
)
def test_client_ip_trusts_forwarded_for_only_from_trusted_proxies(
    settings, proxies, peer, forwarded, expected
):
    configured = replace(settings, trusted_proxies=proxies)
    assert client_ip(request(peer, forwarded), configured) == expected
