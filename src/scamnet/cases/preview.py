"""What a manifest would do, line by line, before anyone confirms it: the match evidence
of each person against known persons and open warrants, with nothing written."""

from __future__ import annotations

from dataclasses import dataclass

from scamnet.cases.matching import load_known
from scamnet.cases.ports import UnitOfWork
from scamnet.core.description import Description
from scamnet.core.handovers import BatchHeader, ManifestLine, check_lines


@dataclass(frozen=True, slots=True)
class LinePreview:
    line: ManifestLine
    person: str | None  # "person:42" when a known person matches
    person_p: float | None
    warrant: str | None  # "warrant:W00001" when an open warrant matches
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BatchPreview:
    header: BatchHeader
    stored_already: bool  # the batch id is recorded: confirming reports it, or the conflict
    lines: list[LinePreview]


def preview_batches(
    uow: UnitOfWork, batches: list[tuple[BatchHeader, list[ManifestLine]]]
) -> list[BatchPreview]:
    """Each line matched as :func:`scamnet.cases.handovers.import_batch` would match it.

    Lines are matched against what is stored now; two lines of one manifest that name
    the same new person are matched to each other only on import.
    """
    known = load_known(uow.person_index)
    out = []
    for header, lines in batches:
        check_lines(header.batch_id, lines)
        previews = []
        for line in lines:
            if line.unnamed:
                previews.append(LinePreview(line, None, None, None, ("counted, not named",)))
                continue
            docs = frozenset({line.document} if line.document else ())
            query = Description((line.name,), line.birth_date, docs)
            person, warrant = known.best_person(query), known.best_warrant(query)
            evidence: list[str] = []
            if person is not None:
                evidence.append(f"{person.ref} (p={person.probability:.3f}): "
                                + "; ".join(person.evidence))  # fmt: skip
            else:
                evidence.append("no known person matched: a new person would be recorded")
            if warrant is not None:
                evidence.append(f"{warrant.ref} (p={warrant.probability:.3f}): "
                                + "; ".join(warrant.evidence))  # fmt: skip
            previews.append(LinePreview(
                line, person.ref if person else None, person.probability if person else None,
                warrant.ref if warrant else None, tuple(evidence),
            ))  # fmt: skip
        out.append(BatchPreview(header, uow.handovers.header(header.batch_id) is not None,
                                previews))  # fmt: skip
    return out
