"""Source records (:class:`scamnet.core.description.SourceRecord`) as entity resolution
sees them: one row per record, names in comparable forms, dates with their day/month
swap, documents and phones."""

from __future__ import annotations

import pyarrow as pa

from scamnet.core.description import SourceRecord
from scamnet.core.entities import Script
from scamnet.resolve.match import swapped
from scamnet.resolve.names import name_forms

# Up to four Latin forms per name (two orders, pinyin and Wade–Giles for 汉字);
# shorter lists repeat their first form so SQL can compare every pair of slots.
FORM_SLOTS = 4


SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("source", pa.string()),
        ("name", pa.string()),
        ("han", pa.string()),
        *[(f"f{i}", pa.string()) for i in range(1, FORM_SLOTS + 1)],
        ("dob", pa.date32()),
        ("dob_swap", pa.date32()),
        ("id_number", pa.string()),
        ("passport", pa.string()),
        ("phone", pa.string()),
    ]
)


def record_row(r: SourceRecord) -> dict[str, object] | None:
    """The row for one record, or None when its name has no letters to compare."""
    forms = name_forms(r.name)
    if not forms.forms:
        return None
    slots = (list(forms.forms) + [forms.forms[0]] * FORM_SLOTS)[:FORM_SLOTS]
    han = "".join(r.name.split()) if forms.script is Script.HAN else None
    return {
        "uid": r.uid,
        "source": r.source,
        "name": r.name,
        "han": han,
        **{f"f{i + 1}": s for i, s in enumerate(slots)},
        "dob": r.birth_date,
        "dob_swap": swapped(r.birth_date) if r.birth_date else None,
        "id_number": r.id_number or None,
        "passport": r.passport or None,
        "phone": r.phone or None,
    }


def record_table(records: list[SourceRecord]) -> pa.Table:
    rows = [row for r in records if (row := record_row(r)) is not None]
    return pa.Table.from_pylist(rows, schema=SCHEMA)
