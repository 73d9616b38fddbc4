"""Many rows as one JSON parameter, for set-based statements over a whole batch.

asyncpg encodes an array parameter element by element and asks every element whether it is a
nested array (abstract-base-class checks in Python): much client CPU for each 29-column
ledger row. The same rows as one ``jsonb`` array of arrays, serialised by orjson and typed in
SQL, cost a fraction of that and less server time too (docs/performance.md; measured with the
embedded PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from uuid import UUID

import orjson


def _exact(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)  # exact; PostgreSQL's numeric reads exponents too
    if isinstance(value, UUID):
        return str(value)  # asyncpg's own UUID type, read back from the database
    raise TypeError(f"{type(value).__name__} has no JSON form here")


def rows_json(rows: Iterable[Sequence[object]]) -> str:
    """Rows (sequences of str, int, Decimal, UUID, aware datetime or None) as a JSON array."""
    return orjson.dumps(list(rows), default=_exact).decode()


def typed_rows(param: int, columns: str, *, numbered: bool = False) -> str:
    """A SELECT of the rows in JSON parameter ``$param`` with ``columns`` ("name type, ...",
    in the rows' order) as typed columns; ``numbered`` adds ``n``, each row's position."""
    typed = []
    for index, column in enumerate(columns.split(",")):
        name, sql_type = column.split()
        if sql_type.endswith("[]"):  # a JSON array: its elements, not its text, make the array
            element = f"jsonb_array_elements_text(r->{index})"
            typed.append(f"ARRAY(SELECT {element})::{sql_type} AS {name}")
        else:
            typed.append(f"(r->>{index})::{sql_type} AS {name}")
    if numbered:
        typed.append("n")
    return (
        f"SELECT {', '.join(typed)}"
        f" FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS json_rows(r, n)"
    )
