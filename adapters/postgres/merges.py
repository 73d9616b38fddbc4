"""PostgresMerges: identifiers and profiles moved by a merge, and ``account_forwards``."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.json_rows import rows_json, typed_rows

MOVE_IDENTIFIERS = """
UPDATE customer_identifiers SET account_id = $3 WHERE business_id = $1 AND account_id = $2
"""

# The survivor keeps its own name; the merged account's goes to it only when it has none.
MOVE_PROFILE = """
WITH gone AS (
    DELETE FROM customer_profiles WHERE business_id = $1 AND account_id = $2 RETURNING name
)
INSERT INTO customer_profiles (business_id, account_id, name)
SELECT $1, $3, name FROM gone WHERE name IS NOT NULL
ON CONFLICT (business_id, account_id) DO NOTHING
"""

# The earn and spend entries stay on the merged account (the ledger is immutable): verify
# accepts an earn on an account merged into the purchase's (``audit_sql.EARNED_ON``).
MOVE_PURCHASES = """
UPDATE purchases SET account_id = $3 WHERE business_id = $1 AND account_id = $2
"""

MOVE_SPENDS = """
UPDATE purchases SET spend_account_id = $3 WHERE business_id = $1 AND spend_account_id = $2
"""

# Both in one statement, so the referrer update sees the referred update's row as it was.
MOVE_REFERRALS = """
WITH referred AS (
    UPDATE referrals SET referred_account_id = $3
    WHERE business_id = $1 AND referred_account_id = $2 AND referrer_account_id <> $3
      AND NOT EXISTS (
          SELECT 1 FROM referrals own WHERE own.business_id = $1 AND own.referred_account_id = $3)
    RETURNING 1
)
UPDATE referrals SET referrer_account_id = $3
WHERE business_id = $1 AND referrer_account_id = $2 AND referred_account_id NOT IN ($2, $3)
"""

# Forwards to the merged account go on to the survivor, so a chain of merges is one hop.
FORWARD_ON = """
UPDATE account_forwards SET account_id = $3
 WHERE business_id = $1 AND account_id = (
    SELECT account_id FROM accounts WHERE business_id = $1 AND customer_id = $2)
"""

FORWARD = """
INSERT INTO account_forwards (business_id, customer_id, account_id, merged_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (business_id, customer_id) DO UPDATE
   SET account_id = EXCLUDED.account_id, merged_at = EXCLUDED.merged_at
"""

FORWARDED = f"""
SELECT k.business_id, k.customer_id, a.customer_id AS survivor
  FROM ({typed_rows(1, "business_id text, customer_id text")}) AS k
  JOIN account_forwards AS f USING (business_id, customer_id)
  JOIN accounts AS a ON a.business_id = f.business_id AND a.account_id = f.account_id
"""


class PostgresMerges:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def move_personal_data(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        await self._connection.execute(MOVE_IDENTIFIERS, business_id, merged, survivor)
        await self._connection.execute(MOVE_PROFILE, business_id, merged, survivor)

    async def move_purchases(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        await self._connection.execute(MOVE_PURCHASES, business_id, merged, survivor)
        await self._connection.execute(MOVE_SPENDS, business_id, merged, survivor)

    async def move_referrals(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        await self._connection.execute(MOVE_REFERRALS, business_id, merged, survivor)

    async def forward(
        self, business_id: str, customer_id: str, survivor: UUID, at: datetime
    ) -> None:
        await self._connection.execute(FORWARD_ON, business_id, customer_id, survivor)
        await self._connection.execute(FORWARD, business_id, customer_id, survivor, at)

    async def forwarded(self, customers: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        if not customers:
            return {}
        rows = await self._connection.fetch(FORWARDED, rows_json(customers))
        return {(r["business_id"], r["customer_id"]): r["survivor"] for r in rows}
