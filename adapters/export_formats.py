"""Export files: CSV (a header, then a row per line), JSON lines (one object per line, as the
contract writes it) and Parquet (a row group per batch), each written as the batches come so
memory stays one batch whatever the size of the export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from enum import Enum
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from ports.exports import Column, Rendering

Batches = AsyncIterable[Sequence[Sequence[Any]]]


class Format(Enum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"

    @property
    def rendering(self) -> Rendering:
        return _RENDERING[self]

    @property
    def streams(self) -> bool:
        """Whether it can go to a pipe as it is written (Parquet's footer comes last)."""
        return self is not Format.PARQUET


_RENDERING = {
    Format.CSV: Rendering.TEXT,
    Format.JSONL: Rendering.JSON,
    Format.PARQUET: Rendering.TYPED,
}
MEDIA_TYPES = {Format.CSV: "text/csv; charset=utf-8", Format.JSONL: "application/jsonl"}

_ARROW = {
    "int": pa.int64(),
    "time": pa.timestamp("us", tz="UTC"),
    "text": pa.string(),
    "texts": pa.list_(pa.string()),
}


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([pa.field(column.name, _ARROW[column.type]) for column in columns])


async def encoded(
    batches: Batches, columns: Sequence[Column], form: Format
) -> AsyncIterator[bytes]:
    """CSV or JSON lines, a chunk of bytes per batch (CSV: the header first; null is empty)."""
    if form is Format.JSONL:
        async for batch in batches:
            yield "".join(f"{row[0]}\n" for row in batch).encode()
        return
    if form is not Format.CSV:
        raise ValueError(f"{form.value} is written to a file, not streamed")
    buffer = io.StringIO()
    # RFC 4180's CRLF: Python's writer quotes only the line terminator's own characters, so
    # with a bare LF a lone CR in a reason or a store id went out unquoted and split the row.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    async for batch in batches:
        writer.writerows(batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # only the header: an empty export is still a valid CSV
        yield buffer.getvalue().encode()


# Row groups of this many rows, whatever the batch size: each group costs footer metadata
# kept in memory until the file closes, so thousands of small groups grow with the export.
ROW_GROUP_ROWS = 65_536


async def write_parquet(
    batches: Batches, columns: Sequence[Column], sink: BinaryIO, group_rows: int = ROW_GROUP_ROWS
) -> None:
    """Batches gathered into row groups of ``group_rows``; an empty export is a file with the
    schema and no rows."""
    schema = arrow_schema(columns)
    gathered: list[pa.RecordBatch] = []
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        async for batch in batches:
            values = list(zip(*batch, strict=True)) if batch else [()] * len(columns)
            arrays = [
                pa.array(column, type=field.type)
                for column, field in zip(values, schema, strict=True)
            ]
            gathered.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
            if sum(b.num_rows for b in gathered) >= group_rows:
                writer.write_table(pa.Table.from_batches(gathered), row_group_size=group_rows)
                gathered = []
        if gathered:
            writer.write_table(pa.Table.from_batches(gathered), row_group_size=group_rows)


async def write(batches: Batches, columns: Sequence[Column], form: Format, sink: BinaryIO) -> None:
    if form is Format.PARQUET:
        await write_parquet(batches, columns, sink)
        return
    async for chunk in encoded(batches, columns, form):
        sink.write(chunk)
