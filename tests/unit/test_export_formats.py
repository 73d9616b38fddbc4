"""Export encodings without a database: CSV keeps awkward text intact, JSON lines are the rows
the store rendered, Parquet keeps types and nulls, and the download's page cursors refuse what
they did not make without ever failing otherwise."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.export_formats import Format, encoded, write_parquet
from adapters.http.problems import ProblemError
from adapters.http.routes.exports import cursor_of, key_of
from ports.exports import Column

pytestmark = pytest.mark.unit

COLUMNS = (
    Column("id", "text"),
    Column("points", "int"),
    Column("at", "time"),
    Column("tags", "texts"),
)


async def batches(*rows: Sequence[Any]) -> AsyncIterator[Sequence[Sequence[Any]]]:
    for row in rows:
        yield [row]


async def joined(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


@given(st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"])), max_size=5))
async def test_csv_gives_any_text_back_as_it_was(texts: list[str]) -> None:
    rows = [(text, str(n)) for n, text in enumerate(texts)]
    columns = (Column("text", "text"), Column("n", "int"))
    body = await joined(encoded(batches(*rows), columns, Format.CSV))

    read = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert read == [["text", "n"], *[list(row) for row in rows]]


async def test_an_empty_csv_export_is_its_header() -> None:
    assert await joined(encoded(batches(), COLUMNS, Format.CSV)) == b"id,points,at,tags\r\n"


async def test_json_lines_are_the_rendered_rows_one_a_line() -> None:
    body = await joined(encoded(batches(['{"a":1}'], ['{"a":2}']), COLUMNS, Format.JSONL))
    assert body == b'{"a":1}\n{"a":2}\n'


async def test_parquet_keeps_types_and_nulls_over_several_row_groups() -> None:
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    rows = [("a", 1, at, ["x"]), (None, None, None, [])]
    sink = io.BytesIO()
    await write_parquet(batches(*rows), COLUMNS, sink, group_rows=1)

    parquet = pq.ParquetFile(io.BytesIO(sink.getvalue()))
    assert parquet.metadata.num_row_groups == 2
    assert parquet.read().to_pylist() == [
        {"id": "a", "points": 1, "at": at, "tags": ["x"]},
        {"id": None, "points": None, "at": None, "tags": []},
    ]


@given(st.uuids(), st.integers(min_value=0, max_value=2**62))
def test_a_page_cursor_gives_back_its_key(account: UUID, seq: int) -> None:
    assert key_of(cursor_of((account, seq))) == (account, seq)


@given(st.text(max_size=120))
def test_any_other_text_is_refused_as_a_cursor_and_nothing_else_is_raised(text: str) -> None:
    try:
        key_of(text)
    except ProblemError as refused:
        assert refused.status == 400 and refused.code == "invalid_cursor"
