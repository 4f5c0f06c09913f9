"""iCalendar text (RFC 5545) for the client's calendar feed: a VCALENDAR of VEVENTs.

The rules kept here, each from RFC 5545:

- lines end in CRLF and are folded so that none is longer than 75 octets (section 3.1), a
  continuation starting with one space; a fold never splits a UTF-8 character;
- TEXT values escape backslash, semicolon and comma with a backslash and a line break as
  ``\\n`` (section 3.3.11); other control characters are not allowed there and are dropped;
- an all-day event is ``DTSTART;VALUE=DATE`` with an exclusive ``DTEND`` the next day (3.6.1);
  a timed one is written in UTC (``…Z``, form #2 of 3.3.5), which needs no VTIMEZONE;
- ``DTSTAMP`` is required, in UTC (3.8.7.2); ``UID`` is required and stable across fetches so a
  calendar updates an event instead of duplicating it (3.8.4.7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

LIMIT = 75  # octets per line, CRLF excluded
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Event:
    """One calendar entry: all-day when ``start`` is a date, else timed (aware datetime)."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime | None = None
    description: str = ""
    location: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """A TEXT value: ``\\`` ``;`` ``,`` escaped, line breaks as ``\\n``, controls dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded into pieces of at most 75 octets (the first) or 74 plus the leading
    space (the others), joined with CRLF; never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= LIMIT:
        return line
    pieces: list[str] = []
    start, room = 0, LIMIT
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, room = end, LIMIT - 1
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a timed event needs an aware datetime")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value: date | datetime) -> str:
    if isinstance(value, datetime):
        return f"{name}:{_utc(value)}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def _event_lines(event: Event, stamp: datetime) -> list[str]:
    end = event.end
    if end is None:
        end = event.start + (timedelta(hours=1) if isinstance(event.start, datetime) else
                             timedelta(days=1))  # fmt: skip
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{_utc(stamp)}",
        _when("DTSTART", event.start),
        _when("DTEND", end),
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")  # a URI value: not TEXT, not escaped
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def calendar(events: Iterable[Event], *, name: str, product: str, stamp: datetime) -> str:
    """The whole VCALENDAR: ``name`` is what Google Calendar and Outlook show for the feed
    (``X-WR-CALNAME``); ``product`` the PRODID; ``stamp`` the DTSTAMP of every event."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(product)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",  # RFC 7986
        f"X-WR-CALNAME:{escape_text(name)}",  # what Google Calendar and Outlook read
        # A hint to refresh every few hours (Outlook and Apple read it; Google polls its own way).
        "REFRESH-INTERVAL;VALUE=DURATION:PT4H",
        "X-PUBLISHED-TTL:PT4H",
    ]
    for event in events:
        lines += _event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
