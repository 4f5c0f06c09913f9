"""iCalendar text (RFC 5545): escaping, folding at 75 octets, all-day and UTC events; read
back by a real parser (``icalendar``), as a calendar would."""

from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pytest

from espaco.domain.ics import Event, calendar, escape_text, fold

STAMP = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Caçamba, 5 m³; obra", "Caçamba\\, 5 m³\\; obra"),
        ("C:\\pasta", "C:\\\\pasta"),
        ("linha 1\nlinha 2\r\nlinha 3\rfim", "linha 1\\nlinha 2\\nlinha 3\\nfim"),
        ("sino\x07 e tab\t", "sino e tab\t"),  # controls dropped, HTAB kept
        ("", ""),
    ],
)
def test_text_values_escape_backslash_semicolon_comma_and_line_breaks(raw, escaped):
    assert escape_text(raw) == escaped


@pytest.mark.parametrize("text", ["a" * 300, "ção" * 100, "🚛" * 60, "x" + "é" * 80])
def test_folded_lines_are_at_most_75_octets_and_unfold_to_the_same_text(text):
    line = "DESCRIPTION:" + text
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert "".join([pieces[0], *(p[1:] for p in pieces[1:])]) == line


def test_a_short_line_is_not_folded():
    assert fold("SUMMARY:Coleta") == "SUMMARY:Coleta"


def _events():
    return [
        Event(
            uid="coleta-7@portal.example.com.br",
            summary='Coleta agendada: Troca de caçamba, 5 m³; "urgente"',
            start=date(2026, 12, 3),
            location="Matriz — Rua das Flores, 120; Campinas/SP",
            description="Resíduo: Classe II-B\nObservação: portão\\lateral " + "ç" * 60,
            url="https://portal.example.com.br/coletas?inicio=2026-12-03&fim=2026-12-03",
        ),
        Event(
            uid="coleta-8@portal.example.com.br",
            summary="Coleta às 9h",
            start=datetime(2026, 12, 4, 9, 0, tzinfo=timezone(timedelta(hours=-3))),
        ),
    ]


def test_a_parser_reads_back_every_field_as_written():
    text = calendar(_events(), name="Coletas — Verde, Campo", product="-//Espaço//PT", stamp=STAMP)
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text)
    # The calendar's name: TEXT, escaped (the parser keeps these two as it found them).
    assert "\r\nNAME:Coletas — Verde\\, Campo\r\n" in text
    assert "\r\nX-WR-CALNAME:Coletas — Verde\\, Campo\r\n" in text
    first, second = parsed.walk("VEVENT")
    assert str(first["UID"]) == "coleta-7@portal.example.com.br"
    assert str(first["SUMMARY"]) == 'Coleta agendada: Troca de caçamba, 5 m³; "urgente"'
    assert first.decoded("DTSTART") == date(2026, 12, 3)
    assert first.decoded("DTEND") == date(2026, 12, 4)  # all day: the end is exclusive
    assert first.decoded("DTSTAMP") == STAMP
    assert str(first["LOCATION"]) == "Matriz — Rua das Flores, 120; Campinas/SP"
    assert str(first["DESCRIPTION"]).startswith("Resíduo: Classe II-B\nObservação: portão\\lateral")
    assert str(first["URL"]).endswith("inicio=2026-12-03&fim=2026-12-03")
    assert second.decoded("DTSTART") == datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert second.decoded("DTEND") == datetime(2026, 12, 4, 13, 0, tzinfo=UTC)
    assert "DTSTART:20261204T120000Z" in text


def test_an_empty_calendar_is_still_a_valid_calendar():
    parsed = icalendar.Calendar.from_ical(calendar([], name="x", product="p", stamp=STAMP))
    assert parsed.walk("VEVENT") == [] and str(parsed["VERSION"]) == "2.0"


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        calendar([Event("u", "s", datetime(2026, 12, 4, 9))], name="x", product="p", stamp=STAMP)  # noqa: DTZ001
