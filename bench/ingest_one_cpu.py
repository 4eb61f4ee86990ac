"""CPU time of one calls file through ``Ingestor.ingest_file``, in-process.

For comparing two versions on a machine too loaded for wall times: run it with
each version's interpreter, alternating, on the same file.

    .venv/bin/python bench/ingest_one_cpu.py WORLD/calls/calls-2023-10-01-00.csv
    .venv/bin/python bench/ingest_one_cpu.py FILE nofsync   # with fsync switched off
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor
from scamnet.store import Store
from scamnet.store.records import StoreLedger, StoreSink


def _cpu() -> float:
    use = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in use)


def main() -> None:
    path = Path(sys.argv[1])
    if sys.argv[2:] == ["nofsync"]:
        import scamnet.lake.writer as writer

        writer.fsync_file = writer.fsync_dir = lambda p: None  # type: ignore[assignment]
    data = Path(tempfile.mkdtemp(prefix="ingest-one-"))
    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    store.upgrade()
    ingestor = Ingestor(data)
    cpu, wall = _cpu(), time.perf_counter()
    with store.session() as s:
        result = ingestor.ingest_file("calls", path, Mapping(), StoreLedger(s), StoreSink(s))
    print(f"cpu {_cpu() - cpu:.2f} s, wall {time.perf_counter() - wall:.2f} s, "
          f"{result.stored:,} stored")  # fmt: skip
    ingestor.close()
    store.dispose()


if __name__ == "__main__":
    main()
