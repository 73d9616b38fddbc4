"""SQL of the shadow ledgers: what is copied from the live database, and the totals read
back from a shadow."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from domain.simulation_report import DayTotals, LedgerTotals

PROGRAMME = "SELECT * FROM programmes WHERE business_id = $1"
RULES = "SELECT * FROM rule_versions WHERE business_id = $1 AND effective_from <= $2"
# The accounts as they stood, with empty balances: each gets one opening entry instead.
ACCOUNTS = """
SELECT business_id, account_id, customer_id, status, 0::bigint AS balance,
       0::bigint AS last_seq, created_at, updated_at, repeat('0', 64) AS last_hash,
       NULL::timestamptz AS last_activity_at, 0::bigint AS stamps, level
FROM accounts WHERE business_id = $1 AND created_at < $2
"""
# How events find their accounts besides the customer id: identifiers, merged-away ids.
IDENTIFIERS = """
SELECT i.* FROM customer_identifiers i JOIN accounts a USING (business_id, account_id)
WHERE i.business_id = $1 AND a.created_at < $2
"""
FORWARDS = """
SELECT f.* FROM account_forwards f JOIN accounts a USING (business_id, account_id)
WHERE f.business_id = $1 AND a.created_at < $2
"""
OPENINGS = """
SELECT account_id, sum(points)::bigint AS points FROM ledger_entries
WHERE business_id = $1 AND occurred_at < $2 GROUP BY account_id
HAVING sum(points) <> 0 ORDER BY account_id
"""
CARRIED_KINDS = ("redemption", "redemption_cancelled", "adjustment", "welcome_bonus")
CARRIED = f"""
SELECT entry_id, account_id, kind, points, occurred_at FROM ledger_entries
WHERE business_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND points <> 0
  AND kind IN {CARRIED_KINDS!r}
ORDER BY occurred_at, account_id, seq
"""

# A carried entry is an adjustment whose reason names the kind it was live.
KIND = (
    "CASE WHEN kind = 'adjustment' AND reason LIKE 'carried %'"
    " THEN split_part(reason, ' ', 2) ELSE kind END"
)
WINDOW = "business_id = $1 AND occurred_at >= $2 AND occurred_at < $3"
ISSUED = "('earn', 'referral_bonus', 'welcome_bonus')"

BY_KIND = f"""
SELECT {KIND} AS key, sum(points)::bigint AS points, sum(stamps)::bigint AS stamps
FROM ledger_entries WHERE {WINDOW} GROUP BY 1
"""
REWARDS = f"""
SELECT count(*) FROM ledger_entries
WHERE {WINDOW} AND kind = 'stamp_earn' AND $4::integer > 0
  AND floor(stamps_balance_after::numeric / $4)
    > floor((stamps_balance_after - stamps)::numeric / $4)
"""
LEVELS = """
SELECT coalesce(level, 'none') AS key, count(*)::bigint AS points FROM accounts
WHERE business_id = $1 GROUP BY 1
"""
BY_STORE = f"""
SELECT coalesce(store_id, '-') AS key, sum(points)::bigint AS points FROM ledger_entries
WHERE {WINDOW} AND kind IN ('earn', 'reversal') GROUP BY 1
"""
# An entry of a sale of several categories counts under their names joined by '+'.
BY_CATEGORY = f"""
SELECT coalesce(nullif(array_to_string(category_ids, '+'), ''), '-') AS key,
       sum(points)::bigint AS points
FROM ledger_entries WHERE {WINDOW} AND kind IN ('earn', 'reversal') GROUP BY 1
"""
BY_DAY = f"""
WITH d AS (
    SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(sum(points) FILTER (WHERE {KIND} IN {ISSUED}), 0) AS issued,
           sum(points) AS net
    FROM ledger_entries WHERE {WINDOW} GROUP BY 1
)
SELECT day::text AS key, issued::bigint AS issued,
       ((SELECT coalesce(sum(points), 0) FROM ledger_entries
         WHERE business_id = $1 AND occurred_at < $2)
        + sum(net) OVER (ORDER BY day))::bigint AS outstanding
FROM d ORDER BY day
"""
BALANCES = "SELECT customer_id AS key, balance AS points FROM accounts WHERE business_id = $1"


def database_url(url: str, database: str) -> str:
    """The same server, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def _keyed(rows: Sequence[asyncpg.Record]) -> dict[str, int]:
    return {r["key"]: int(r["points"]) for r in rows}


def totals_from(
    *,
    by_kind: Sequence[asyncpg.Record],
    rewards: int,
    levels: Sequence[asyncpg.Record],
    by_store: Sequence[asyncpg.Record],
    by_category: Sequence[asyncpg.Record],
    by_day: Sequence[asyncpg.Record],
    balances: Sequence[asyncpg.Record],
    redemption_rate: Decimal,
) -> LedgerTotals:
    points = _keyed(by_kind)
    stamps = {r["key"]: int(r["stamps"] or 0) for r in by_kind}
    members = _keyed(balances)
    outstanding = sum(members.values())
    return LedgerTotals(
        issued=sum(points.get(k, 0) for k in ("earn", "referral_bonus", "welcome_bonus")),
        reversed=-(points.get("reversal", 0) + points.get("referral_reversal", 0)),
        redeemed=-(points.get("redemption", 0) + points.get("redemption_cancelled", 0)),
        expired=-points.get("expiry", 0),
        outstanding=outstanding,
        value=(Decimal(outstanding) / redemption_rate).quantize(Decimal("0.01")),
        stamps=stamps.get("stamp_earn", 0),
        rewards=int(rewards or 0),
        levels=_keyed(levels),
        by_store=_keyed(by_store),
        by_category=_keyed(by_category),
        by_day={r["key"]: DayTotals(int(r["issued"]), int(r["outstanding"])) for r in by_day},
        balances=members,
    )
