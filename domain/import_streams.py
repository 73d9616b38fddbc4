"""A batch of opening balances split into streams the database can write at once, each on its
own connection: the rows of one account all go to one stream, in the file's order, so no two
streams ever chain entries onto, or lock, the same account.

A row whose key an earlier row of the batch already has goes with that earlier row, whatever
its account: the stream holding both refuses it as a repeat, as one batch would, and no two
streams ever write the same key."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import TypeVar

from domain.imports import BalanceRow

Line = TypeVar("Line")


def split_by_account(
    rows: Sequence[tuple[Line, BalanceRow]], streams: int
) -> list[list[tuple[Line, BalanceRow]]]:
    """``rows`` in at most ``streams`` lists (none empty), each in the rows' order."""
    if streams < 1:
        raise ValueError("streams must be at least 1")
    parts: list[list[tuple[Line, BalanceRow]]] = [[] for _ in range(streams)]
    stream_of_key: dict[tuple[str, str], int] = {}
    for line, row in rows:
        key = (row.business_id, row.row_key)
        stream = stream_of_key.get(key)
        if stream is None:
            stream = _stream_of_account(row, streams)
            stream_of_key[key] = stream
        parts[stream].append((line, row))
    return [part for part in parts if part]


def _stream_of_account(row: BalanceRow, streams: int) -> int:
    if streams == 1:
        return 0
    account = f"{row.business_id}\x1f{row.customer_id}".encode()
    return zlib.crc32(account) % streams
