"""What the record validators of an import share (``validate`` and its per-section modules
``validate_billing``, ``validate_collections``): the problems found, the file checker, what the
database already holds, and the external ids seen so far in the document."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from espaco.services.imports.fields import Problems, Rec
from espaco.services.imports.files import FileChecker
from espaco.services.imports.model import Known
from espaco.tables import Client

EXTERNAL_ID_MAX = Client.external_id.length or 80


class Context:
    """What the record validators share: problems, files, what exists, and the ids seen."""

    def __init__(self, problems: Problems, known: Known, files: FileChecker, tz: ZoneInfo) -> None:
        self.problems = problems
        self.known = known
        self.files = files
        self.tz = tz
        self.clients: dict[str, str] = {}  # external id -> path of the record
        self.location_client: dict[str, str] = {}  # location -> client, of this document
        self.seen: dict[str, dict[str, str]] = {}  # section -> external id -> first path

    def external_id(self, rec: Rec, section: str) -> str | None:
        """The record's ``external_id``, refused when an earlier record of the section had it."""
        value = rec.text("external_id", max_len=EXTERNAL_ID_MAX, required=True)
        if value is None:
            return None
        seen = self.seen.setdefault(section, {})
        first = seen.get(value)
        if first is not None:
            rec.fail("external_id", "duplicate", f"external_id {value} repetido (já em {first})")
            return None
        seen[value] = rec.base
        return value

    def client_ref(self, rec: Rec) -> str | None:
        """A ``client`` reference, resolved in this document or in the database."""
        value = rec.text("client", max_len=EXTERNAL_ID_MAX, required=True)
        if value is None:
            return None
        if value not in self.clients and value not in self.known.clients:
            rec.fail("client", "not_found", f"Cliente {value} não encontrado")
            return None
        return value
