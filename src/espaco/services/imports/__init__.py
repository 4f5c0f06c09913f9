"""The ``espaco-import/1`` importer (see import-format.md): the one door through which the
provider's ERP, the ``espaco import`` command and the demo put data into the portal.

- ``validate*``: the whole document checked first, every problem listed with its JSON path;
- ``files``: the files it points at, checked, then stored once each (``services.operations.media``);
- ``store*``: one write transaction of idempotent upserts by ``external_id``;
- ``service``: ``import_file`` / ``import_document``, tying them together.
"""

from espaco.services.imports.model import ImportProblem, ImportResult, SectionCounts
from espaco.services.imports.service import import_document, import_file

__all__ = ["ImportProblem", "ImportResult", "SectionCounts", "import_document", "import_file"]
