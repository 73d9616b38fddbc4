"""Files for ``loyalty import``: CSV with a header row, or JSON lines (one object a line),
read as (line number, fields) one row at a time, so a file of millions of rows streams.

A line that is not a row at all (bad JSON, not an object, a CSV row with more cells than the
header) comes out as its line number and a ``FileRowError`` for the rejects report; the file
goes on. Phone numbers are made E.164 here with the ``phonenumbers`` library.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Literal

import orjson

from adapters import phone_numbers
from domain.identifiers import InvalidIdentifier

Format = Literal["csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl")
_EXTENSIONS: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class FileRowError(ValueError):
    """A line that is not a row; its message says why."""


Row = tuple[int, Mapping[str, object] | FileRowError]


def format_of(path: Path, given: str | None) -> Format:
    """``given`` when there is one, else what the file's extension says."""
    if given is not None:
        if given not in FORMATS:
            raise ValueError(f"unknown format {given!r}: csv or jsonl")
        return given  # type: ignore[return-value]  # checked just above
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise ValueError(f"cannot tell the format of {path.name}: use --format csv|jsonl")
    return found


def read_rows(path: Path, file_format: Format) -> Iterator[Row]:
    return _csv_rows(path) if file_format == "csv" else _jsonl_rows(path)


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as handle:  # Excel writes a BOM
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        names = [name.strip().lower() for name in header]
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is no row
            if len(cells) > len(names):
                yield line, FileRowError(f"{len(cells)} cells, the header names {len(names)}")
                continue
            yield line, dict(zip(names, cells, strict=False))


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError as error:
                yield line, FileRowError(f"not JSON: {error}")
                continue
            if not isinstance(value, dict):
                yield line, FileRowError("not a JSON object")
                continue
            yield line, value


def count_rows(path: Path) -> int:
    """About how many rows the file holds (its lines, less a CSV header): the progress total."""
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - (1 if path.suffix.lower() == ".csv" else 0), 0)


def e164(region: str | None) -> Callable[[str], str]:
    """A phone normaliser for numbers written in ``region`` (ISO 3166 code; the till's default,
    GB, when none) when they have no +country prefix: the same E.164 form the till's lookup
    gives (+447911123456), or ValueError."""

    def normalise(text: str) -> str:
        try:
            return phone_numbers.e164(text, region or phone_numbers.DEFAULT_REGION)
        except InvalidIdentifier as error:
            raise ValueError(str(error)) from None

    return normalise
