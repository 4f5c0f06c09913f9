"""The one clock: what time it is, and which day it is where the provider works.

The web layer reads the time only through the app's :class:`Clock` (``create_app(clock=…)``;
tests pin it); services and the domain take ``now``/``today`` as arguments. "Today" is the
provider's calendar day (``ESPACO_TIMEZONE``), computed by :func:`local_date` and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo


def _utc_now() -> datetime:
    return datetime.now(UTC)


def local_date(now: datetime, tz: tzinfo) -> date:
    """The provider's calendar day at ``now`` (02:59 UTC on 1 March is still 28 February in
    São Paulo)."""
    return now.astimezone(tz).date()


@dataclass(frozen=True)
class Clock:
    """The time (aware, UTC) and the provider's day, from ``read`` (the system clock)."""

    tz: tzinfo
    read: Callable[[], datetime] = _utc_now

    def now(self) -> datetime:
        return self.read()

    def today(self) -> date:
        return local_date(self.read(), self.tz)

    @classmethod
    def fixed(cls, when: datetime, tz: tzinfo) -> Clock:
        """A clock that always says ``when`` (for tests)."""
        return cls(tz, lambda: when)
