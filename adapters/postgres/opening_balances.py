"""Opening balances written set-based: a batch of ``loyalty import balances`` rows is COPYed to
a staging table, and one statement sorts them (imported before, repeated, no account, closed),
chains the entries of each account in SQL (the ``loyalty_chain`` aggregate, migration 0031) and
writes entries, outbox rows, lots, balances and row keys together.

The entries are ``domain.imports.opening_balances``' to the byte: the columns every opening
entry shares are read off one that function builds, the rest follow from the row and its
account as the domain computes them, and the tests compare the two on generated accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.outbox import traceparent_parameters
from adapters.postgres.rows import ENTRY_ROW, ENTRY_TYPES, entry_columns
from domain.accounts import Account
from domain.chain import ADDED_FIELDS, HASHED_FIELDS, hashed_texts
from domain.imports import BalanceRow, opening_balances, opening_entry

STAGED = (
    ("line", "bigint"),
    ("business_id", "text"),
    ("customer_id", "text"),
    ("row_key", "text"),
    ("digest", "text"),
    ("points", "bigint"),
    ("entry_id", "uuid"),
    ("occurred_at", "timestamptz"),
    ("available_at", "timestamptz"),
    ("expires_at", "timestamptz"),
    ("description", "text"),
)
STAGE_TABLE = "import_balance_stage"
CREATE_STAGE = (
    f"CREATE TEMP TABLE {STAGE_TABLE} ({', '.join(f'{n} {t}' for n, t in STAGED)}) ON COMMIT DROP"
)

# Columns that differ from one opening entry to the next, as SQL over a row ``g`` of ``go``
# below; every other column is the template entry's (``t``).
_ROW_COLUMNS = {
    "entry_id": "g.entry_id",
    "business_id": "g.business_id",
    "account_id": "g.account_id",
    "customer_id": "g.account_customer",
    "seq": "g.seq",
    "points": "g.points",
    "balance_after": "g.balance_after",
    "source_ref": "g.row_key",
    "occurred_at": "g.occurred_at",
    "recorded_at": "$1::timestamptz",
    "prev_hash": "g.prev_hash",
    "entry_hash": "g.entry_hash",
    "stamps_balance_after": "g.stamps",
    "description": "g.description",
}
# The same, as the text the hash covers (domain.chain: ``_text`` of each value).
_ROW_TEXTS = {
    "entry_id": "g.entry_id::text",
    "business_id": "g.business_id",
    "account_id": "g.account_id::text",
    "customer_id": "g.account_customer",
    "seq": "g.seq::text",
    "points": "g.points::text",
    "balance_after": "g.balance_after::text",
    "source_ref": "g.row_key",
    "occurred_at": "loyalty_iso_utc(g.occurred_at)",
}
# Fields hashed as name=value only when set (domain.chain.ADDED_FIELDS) that rows set.
_ROW_ADDED = {
    "stamps_balance_after": "CASE WHEN g.stamps <> 0 THEN 'stamps_balance_after=' || g.stamps END",
    "description": "'description=' || g.description",
}


def _template(now: datetime) -> tuple[tuple[object, ...], list[str]]:
    """The columns of an opening entry the domain builds, and the texts its hash covers."""
    account = Account(business_id="-", account_id=UUID(int=0), customer_id="-")
    row = BalanceRow("-", "-", "-", 1, None, None, None)
    (entry,) = opening_balances(account, [row], now).entries
    return entry_columns(entry), hashed_texts(entry, "")


def _hashed_text_sql(template_texts: list[str]) -> tuple[str, list[str]]:
    """SQL for the text after the previous hash, and the constants it takes (``$3[i]``)."""
    constants: list[str] = []

    def constant(text: str) -> str:
        constants.append(text)
        return f"($3::text[])[{len(constants)}]"

    parts = [
        _ROW_TEXTS.get(name) or constant(template_texts[1 + index])
        for index, name in enumerate(HASHED_FIELDS)
    ]
    set_in_template = {
        text.split("=", 1)[0]: text for text in template_texts[1 + len(HASHED_FIELDS) :]
    }
    for name, _unset in ADDED_FIELDS:
        if name in _ROW_ADDED:
            parts.append(_ROW_ADDED[name])
        elif name in set_in_template:
            parts.append(constant(set_in_template[name]))
    return f"concat_ws(chr(31), {', '.join(parts)})", constants


class PostgresOpeningBalances:
    """``ImportRepository.open_balances`` on one connection, inside the batch's transaction."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def open_balances(
        self, rows: Sequence[tuple[int, str, BalanceRow]], now: datetime
    ) -> dict[int, str]:
        if not rows:
            return {}
        await self._connection.execute(CREATE_STAGE)
        await self._connection.copy_records_to_table(
            STAGE_TABLE, records=_staged(rows, now), columns=[name for name, _ in STAGED]
        )
        await self._connection.execute(f"ANALYZE {STAGE_TABLE}")  # a few ms: plans by key
        await self._connection.execute(LOCK_STAGED_ACCOUNTS)
        columns, texts = _template(now)
        hashed, constants = _hashed_text_sql(texts)
        verdicts = await self._connection.fetch(
            _statement(hashed),
            now,
            rows_json([columns]),
            constants,
            traceparent_parameters()[1],
        )
        return {row["line"]: row["verdict"] for row in verdicts}


def _staged(rows: Sequence[tuple[int, str, BalanceRow]], now: datetime) -> list[tuple[object, ...]]:
    staged: list[tuple[object, ...]] = []
    for line, made, row in rows:
        opening = opening_entry(row, now)
        staged.append(
            (
                line,
                row.business_id,
                row.customer_id,
                row.row_key,
                made,
                row.points,
                opening.entry_id,
                opening.occurred_at,
                opening.available_at,
                row.expires_at,
                opening.description,
            )
        )
    return staged


# In (business_id, account_id) order, as event batches lock (batch_sql.LOCK_ACCOUNTS).
LOCK_STAGED_ACCOUNTS = f"""
SELECT 1 FROM accounts a
JOIN (SELECT DISTINCT business_id, customer_id FROM {STAGE_TABLE}) s
  ON a.business_id = s.business_id AND a.customer_id = s.customer_id
ORDER BY a.business_id, a.account_id
FOR UPDATE OF a
"""

_LEDGER_COLUMNS = ", ".join(ENTRY_TYPES)
_TEMPLATE_COLUMNS = ", ".join(_ROW_COLUMNS.get(name, f"t.{name}") for name in ENTRY_TYPES)


def _statement(hashed: str) -> str:
    """$1 now, $2 the template entry (JSON), $3 the hash's constant texts, $4 traceparent.
    Returns the verdict of every row not imported: known (imported before, same values),
    changed, repeat (a key earlier in the batch), no_account, closed."""
    return f"""
WITH classified AS (
    SELECT s.*, a.account_id, a.customer_id AS account_customer, a.balance, a.last_seq,
           a.last_hash, a.stamps,
           CASE
               WHEN row_number() OVER (PARTITION BY s.business_id, s.row_key ORDER BY s.line) > 1
                   THEN 'repeat'
               WHEN i.digest = s.digest THEN 'known'
               WHEN i.digest IS NOT NULL THEN 'changed'
               WHEN a.account_id IS NULL THEN 'no_account'
               WHEN a.status = 'closed' THEN 'closed'
               ELSE 'go'
           END AS verdict
    FROM {STAGE_TABLE} s
    -- Probes by key (LATERAL ... LIMIT 1): a batch is a few thousand rows, the tables may
    -- hold millions, and the staging table has no statistics to tell the planner so.
    LEFT JOIN LATERAL (
        SELECT i.digest FROM import_rows i
        WHERE i.business_id = s.business_id AND i.kind = 'balance' AND i.row_key = s.row_key
        LIMIT 1
    ) i ON true
    LEFT JOIN LATERAL (
        SELECT a.account_id, a.customer_id, a.balance, a.last_seq, a.last_hash, a.stamps,
               a.status
        FROM accounts a WHERE a.business_id = s.business_id AND a.customer_id = s.customer_id
        LIMIT 1
    ) a ON true
),
numbered AS (
    SELECT c.*,
           c.last_seq + row_number() OVER w AS seq,
           c.balance + sum(c.points) OVER w AS balance_after
    FROM classified c WHERE c.verdict = 'go'
    WINDOW w AS (PARTITION BY c.business_id, c.account_id ORDER BY c.line)
),
hashed AS (
    SELECT g.*, loyalty_chain(g.last_hash, {hashed}) OVER w AS entry_hash
    FROM numbered g
    WINDOW w AS (PARTITION BY g.business_id, g.account_id ORDER BY g.line)
),
go AS (
    SELECT h.*, coalesce(lag(h.entry_hash) OVER w, h.last_hash) AS prev_hash
    FROM hashed h
    WINDOW w AS (PARTITION BY h.business_id, h.account_id ORDER BY h.line)
),
t AS ({typed_rows(2, ENTRY_ROW)}),
entries AS (
    INSERT INTO ledger_entries ({_LEDGER_COLUMNS})
    SELECT {_TEMPLATE_COLUMNS} FROM go g CROSS JOIN t
    RETURNING 1
),
outbox AS (
    INSERT INTO outbox (business_id, account_id, entry_id, traceparent)
    SELECT business_id, account_id, entry_id, $4::text FROM go
    ORDER BY business_id, account_id, seq
    RETURNING 1
),
lots AS (
    INSERT INTO point_lots (business_id, account_id, lot_id, entry_id, earned_at, available_at,
                            expires_at, points, remaining)
    SELECT business_id, account_id, entry_id, entry_id, occurred_at, available_at, expires_at,
           points, points - least(greatest(0, -(balance_after - points)), points)
    FROM go
    RETURNING 1
),
keys AS (
    INSERT INTO import_rows (business_id, kind, row_key, digest, account_id, entry_id)
    SELECT business_id, 'balance', row_key, digest, account_id, entry_id FROM go
    RETURNING 1
),
balances AS (
    UPDATE accounts a
    SET balance = n.balance_after, last_seq = n.seq, last_hash = n.entry_hash, updated_at = now()
    FROM (
        SELECT DISTINCT ON (business_id, account_id) business_id, account_id, seq,
               balance_after, entry_hash
        FROM go ORDER BY business_id, account_id, seq DESC
    ) n
    WHERE a.business_id = n.business_id AND a.account_id = n.account_id
    RETURNING 1
)
SELECT line, verdict FROM classified WHERE verdict <> 'go'
"""
