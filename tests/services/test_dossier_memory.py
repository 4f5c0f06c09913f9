"""The dossier's ZIP is streamed: its peak memory stays flat however many files it holds."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

from espaco.domain.periods import Period
from espaco.services.collections.dossier import PIECE, Entry, Plan, stream

DAY = date(2026, 11, 28)
FILE_SIZE = 300_000


def _files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"f{n}.pdf"
        if not path.exists():
            path.write_bytes(b"%PDF-1.4\n" + os.urandom(FILE_SIZE))
        paths.append(path)
    return paths


async def _peak(settings, paths: list[Path]) -> tuple[int, int, bytes]:
    plan = Plan(Period(DAY, DAY), None)
    plan.entries = [Entry(f"cdf/{p.name}", "cdf", p.name, path=p, size=FILE_SIZE) for p in paths]
    kept = io.BytesIO()  # only the first and last pieces are kept, to open the ZIP's ends
    total = 0
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        async for piece in stream(plan, [("index.html", b"<p>x</p>")], 0, settings, DAY):
            total += len(piece)
            if len(paths) <= 3:
                kept.write(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, total, kept.getvalue()


async def test_peak_memory_does_not_grow_with_the_number_of_files(db, tmp_path):
    paths = _files(tmp_path / "files", 400)
    # tracemalloc counts every thread of the process, and a thread an earlier test left running
    # can allocate during a run (the whole PostgreSQL suite once added 260 KB to the 400-file
    # peak): such noise only adds, so each count's peak is the least of two runs.
    small = [await _peak(db, paths[:40]) for _ in range(2)]
    big = [await _peak(db, paths) for _ in range(2)]
    small_peak, big_peak = min(p for p, _, _ in small), min(p for p, _, _ in big)
    assert all(total > 400 * FILE_SIZE for _, total, _ in big)  # the whole 120 MB went through
    # One 1 MiB read, its copy into the sink and the drained piece, plus the central directory
    # and its ZipInfo (~400 bytes a file, 150 KB from 40 to 400 files): a few MiB, whatever the
    # count.
    assert big_peak < 4 * PIECE, big_peak
    assert big_peak < small_peak + 400 * 1_000, (small_peak, big_peak)


async def test_a_small_stream_is_a_valid_zip_with_pdfs_stored(db, tmp_path):
    paths = _files(tmp_path / "files", 3)
    _, _, data = await _peak(db, paths)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["index.html", "cdf/f0.pdf", "cdf/f1.pdf", "cdf/f2.pdf"]
        assert archive.getinfo("cdf/f1.pdf").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("index.html").compress_type == zipfile.ZIP_DEFLATED
        assert archive.read("cdf/f2.pdf") == paths[2].read_bytes()
