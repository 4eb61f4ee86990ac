"""Several pushed NDJSON batches of one kind taken in together: one validation, one commit.

A batch pushed on its own pays a fixed cost whatever its size (the engine's
queries, the lake's commit with its syncs, the ledger). Batches that arrive while
the intake is busy are taken in as a group, and each still gets the answer it would
have had alone, in arrival order:

- each batch is parsed by the same line rule as a JSON Lines file
  (`sources.parse_json_line`; `ndjson.parse_ndjson` reads a batch at once when that
  is provably the same) and checked for its required columns on its own: a
  batch that cannot be read whole is refused alone, the others go on;
- a batch whose SHA-256 is in the ledger, or equal to an earlier one of the group,
  is "same content already received";
- the rows of the group are validated once by the file pipeline's rules
  (`Ingestor.validate`); a key repeated within one batch is rejected as in a file,
  a key repeated in a later batch of the group counts as already stored there;
- the valid rows are appended to the lake in one commit; each batch's rejects,
  counts and ledger entry are its own, with its own line numbers.

Anything that fails the group as a whole (the lake, the engine) raises: nothing of
the group is committed, and each batch's sender is told so.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from scamnet.ingest.kinds import KINDS
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.ndjson import ParsedLines, parse_ndjson
from scamnet.ingest.pipeline import FileResult, Ingestor, complete_mapping
from scamnet.ingest.ports import IngestLedger, RecordSink
from scamnet.ingest.sources import RawTable, SourceError
from scamnet.lake.faults import crash_point


@dataclass(frozen=True)
class Part:
    """One pushed batch: the name it goes by in the rejects and ledger, its body and hash."""

    label: str
    body: bytes
    sha: str


def ingest_parts(
    ingestor: Ingestor, kind: str, parts: list[Part], mapping: Mapping, ledger: IngestLedger,
    sink: RecordSink, keep_new: bool = False,
) -> list[FileResult]:  # fmt: skip
    """Take ``parts`` in as one group; one result per part, in order.

    A part that cannot be read whole comes back with ``error`` set (nothing of it is
    stored); ``keep_new`` returns each part's rows stored in its ``new_rows``.
    """
    spec = KINDS[kind]
    results = [FileResult(p.label) for p in parts]
    with ingestor.lock(kind):
        taken: list[tuple[int, ParsedLines]] = []
        hashes: set[str] = set()
        present: set[str] = set()
        names = [c.name for c in spec.columns]
        for i, part in enumerate(parts):
            if part.sha in hashes or ledger.seen(part.sha, spec.name):
                results[i].skipped_same_content = True
                continue
            hashes.add(part.sha)
            parsed = parse_ndjson(part.body, names=names)
            try:
                if not parsed.count:
                    raise SourceError(f"{part.label}: no JSON object could be read")
                complete_mapping(spec, mapping, parsed.columns, part.label)
            except SourceError as exc:
                results[i].error = str(exc)
                continue
            taken.append((i, parsed))
            present |= parsed.columns
        if not taken:
            return results
        _take(ingestor, kind, parts, taken, complete_mapping(spec, mapping, present, kind),
              results, ledger, sink, keep_new)  # fmt: skip
    return results


def _take(
    ingestor: Ingestor, kind: str, parts: list[Part], taken: list[tuple[int, ParsedLines]],
    mapping: Mapping, results: list[FileResult], ledger: IngestLedger, sink: RecordSink,
    keep_new: bool,
) -> None:  # fmt: skip
    spec = KINDS[kind]
    con = ingestor.con
    crash_point("read")
    table = RawTable(con)
    starts: list[int] = []  # the ordinal in ``raw`` of each taken part's first row
    for _, parsed in taken:
        starts.append(sum(p.count for _, p in taken[: len(starts)]))
        if parsed.table is not None:
            table.add_table(parsed.table)
        for row in parsed.rows:
            table.add(row)
    table.flush()
    # Each row's part (its index in ``taken``) from its ordinal: parts are contiguous.
    arms = " ".join(f"WHEN __ord < {s} THEN {j - 1}" for j, s in enumerate(starts) if j)
    part = f"CASE {arms} ELSE {len(starts) - 1} END" if arms else "0"
    repeated = ingestor.validate(spec, mapping, ingestor.cache(mapping.region), part)
    # Valid rows per part, those an earlier part holds included (already stored).
    valid = dict(con.execute(
        "SELECT __part, count(*) FROM v WHERE __reason IS NULL GROUP BY __part"
    ).fetchall())  # fmt: skip
    if repeated:  # keys an earlier batch of the group holds: that batch stores them
        con.execute("DELETE FROM v WHERE __ord IN (SELECT __ord FROM dup WHERE m = 1)")
    refused: list[list[tuple[int, str, str]]] = [list(p.rejects) for _, p in taken]
    # Every row valid (the rule for a stream's batches): no statement for the rejects.
    everyone = sum(valid.values()) == sum(p.count for _, p in taken)
    for o, reason, row in [] if everyone else con.execute(
        "SELECT v.__ord, v.__reason, to_json(raw)::VARCHAR FROM v "
        "JOIN raw ON raw.rowid = v.__ord WHERE v.__reason IS NOT NULL"
    ).fetchall():  # fmt: skip
        j = bisect.bisect_right(starts, int(o)) - 1
        refused[j].append((taken[j][1].lines[int(o) - starts[j]], str(reason), str(row)))
    for (i, parsed), bad in zip(taken, refused, strict=True):
        result = results[i]
        result.read = parsed.count + len(parsed.rejects)
        for line, reason, _row in sorted(bad):
            result.rejected[reason] += 1
            result.lines.append((line, reason))
        ingestor.rejects.write(spec.name, parts[i].sha[:16], result.path, sorted(bad))
    if spec.destination == "lake":
        tag = parts[taken[0][0]].sha[:16]
        _, _, new_rows = ingestor.store_valid(spec, sink, tag, True, ("__part",))
        per_part = _split(new_rows, len(taken))
        stored = [t.num_rows for t in per_part]
    else:  # the store's kinds: inserted batch by batch, to count each one's rows
        per_part = _split(ingestor.fetch("(SELECT * EXCLUDE (__ord, __reason, __k) FROM v "
                                         "WHERE __reason IS NULL)"), len(taken))  # fmt: skip
        stored = [sink.insert(spec.name, rows) for rows in per_part]
    for j, (i, _) in enumerate(taken):
        result = results[i]
        result.stored = stored[j]
        result.already = int(valid.get(j, 0)) - result.stored
        result.new_rows = per_part[j] if keep_new else None
        ledger.record(parts[i].sha, spec.name, result.path, result.read, result.stored,
                      result.n_rejected)  # fmt: skip


def _split(rows: Any, n: int) -> list[Any]:
    """The rows stored, by part (a lake kind's Arrow table, or the store's dicts)."""
    if isinstance(rows, pa.Table):
        part = rows.column("__part")
        body = rows.drop_columns(["__part"])
        if n == 1:
            return [body]
        return [body.filter(pc.equal(part, j)) for j in range(n)]
    out: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for r in rows:
        out[int(r.pop("__part"))].append(r)
    return out
