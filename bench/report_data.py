"""Generated rows for ``bench.report_plans``: businesses, accounts, ledger entries, referrals
and point lots, written straight into the tables with generate_series (not through the
service), then ANALYZEd."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

BUSINESSES = 20
BUSINESS = "bench-07"
NOW = datetime(2025, 12, 31, tzinfo=UTC)
"""The bench's "now": its entries occur over 2025, their lots expire a year on."""

_BUSINESS_OF = "'bench-' || lpad((({a}) % $2)::text, 2, '0')"

LOAD = [
    f"""
INSERT INTO programmes (business_id, name)
SELECT {_BUSINESS_OF.format(a="b")}, 'Bench ' || b FROM generate_series(0, $2 - 1) b
WHERE $1::bigint > 0
""",
    f"""
INSERT INTO accounts (business_id, account_id, customer_id, status, level)
SELECT {_BUSINESS_OF.format(a="a")}, md5('account' || a)::uuid, 'customer-' || a,
       CASE WHEN a / $2 % 50 = 1 THEN 'closed' WHEN a / $2 % 97 = 1 THEN 'suspended'
            ELSE 'active' END,
       CASE WHEN a / $2 % 10 = 0 THEN 'gold' WHEN a / $2 % 4 = 0 THEN 'silver' END
FROM generate_series(0, greatest($1 / 10, $2) - 1) a
""",
    # The kinds in realistic shares; occurred_at spread over 2025, stores s-0..s-9 or none.
    f"""
INSERT INTO ledger_entries (business_id, entry_id, account_id, customer_id, seq, kind,
    points, balance_after, source, source_ref, occurred_at, recorded_at, store_id,
    referred_account_id)
SELECT {_BUSINESS_OF.format(a="x.a")}, md5('entry' || g)::uuid, md5('account' || x.a)::uuid,
       'customer-' || x.a, g, k.kind, k.points, 0, k.source, 'ref-' || g, x.at, x.at,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 's-' || (g % 10) END, NULL
FROM generate_series(1::bigint, $1::bigint) g
CROSS JOIN LATERAL (
    SELECT (g * 7919) % greatest($1 / 10, $2) AS a,
           timestamptz '2025-01-01 00:00+00' + ((g * 104729) % 31536000) * interval '1 second'
               AS at
) x
CROSS JOIN LATERAL (
    SELECT CASE
               WHEN g % 100 < 60 THEN 'earn' WHEN g % 100 < 72 THEN 'redemption'
               WHEN g % 100 < 77 THEN 'reversal' WHEN g % 100 < 82 THEN 'expiry'
               WHEN g % 100 < 86 THEN 'adjustment' WHEN g % 100 < 92 THEN 'welcome_bonus'
               WHEN g % 100 < 94 THEN 'card_created' WHEN g % 100 < 95 THEN 'level_change'
               ELSE 'earn'
           END AS kind
) c
CROSS JOIN LATERAL (
    SELECT c.kind,
           CASE WHEN c.kind IN ('earn', 'welcome_bonus', 'referral_bonus', 'adjustment')
                    THEN 1 + g % 200
                WHEN c.kind IN ('card_created', 'level_change') THEN 0
                ELSE -(1 + g % 100) END AS points,
           CASE WHEN c.kind = 'earn' THEN 'sale' WHEN c.kind = 'reversal' THEN 'return'
                WHEN c.kind = 'redemption' THEN 'pos' ELSE 'system' END AS source
) k
""",
    # Referrals, once per referred customer as the service allows: one account in ten was
    # referred by the account before it in its business (both get a bonus, the referrer's
    # naming it); one in ten of those bonuses reversed.
    f"""
INSERT INTO ledger_entries (business_id, entry_id, account_id, customer_id, seq, kind,
    points, balance_after, source, source_ref, occurred_at, recorded_at, referred_account_id)
SELECT {_BUSINESS_OF.format(a="r.a")}, md5('referral' || r.a || k.kind || k.side)::uuid,
       md5('account' || k.holder)::uuid, 'customer-' || k.holder,
       $1 + 1 + r.a * 4 + k.step, k.kind, k.points, 0, 'system', 'referral-' || r.a,
       r.at, r.at, CASE WHEN k.side = 'referrer' THEN md5('account' || r.a)::uuid END
FROM generate_series($2::bigint, greatest($1::bigint / 10, $2) - 1) AS a
CROSS JOIN LATERAL (
    SELECT a, timestamptz '2025-01-01 00:00+00' + ((a * 104729) % 31536000) * interval '1 second'
        AS at
) r
CROSS JOIN LATERAL (
    VALUES ('referred', r.a, 'referral_bonus', 50, 0),
           ('referrer', r.a - $2, 'referral_bonus', 100, 0),
           ('referred', r.a, 'referral_reversal', -50, 1),
           ('referrer', r.a - $2, 'referral_reversal', -100, 1)
) AS k (side, holder, kind, points, step)
WHERE r.a / $2 % 10 = 3 AND (k.kind = 'referral_bonus' OR r.a / $2 % 100 = 3)
""",
    """
INSERT INTO point_lots (business_id, account_id, lot_id, entry_id, earned_at, available_at,
    expires_at, points, remaining)
SELECT business_id, account_id, entry_id, entry_id, occurred_at, occurred_at,
       occurred_at + interval '365 days', points,
       CASE WHEN seq % 5 = 0 THEN 0 ELSE points END
FROM ledger_entries
WHERE points > 0 AND seq % 3 <> 0 AND $1::bigint > 0 AND $2::int > 0
""",
]


async def load(connection: asyncpg.Connection, entries: int, businesses: int = BUSINESSES) -> None:
    """Generated rows (see the module's docstring), then ANALYZE."""
    for statement in LOAD:
        await connection.execute(statement, entries, businesses)
    await connection.execute("VACUUM ANALYZE accounts, ledger_entries, point_lots")
