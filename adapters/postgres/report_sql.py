"""The operators' queries as SQL (indexes: migration 0018_report_indexes).

Each statement comes in variants with and without its optional filters (one account, the key
a page starts after) rather than ``$n IS NULL OR ...``: a prepared statement's generic plan
cannot drop such a clause, and then cannot use it to bound an index scan. The kinds a query
reads are written into the SQL as literals (they match the partial index's predicate only
as constants), taken from ``domain.ledger`` so they cannot drift from its buckets.
"""

from __future__ import annotations

from domain.ledger import Bucket, EntryKind, kinds_in

REFERRAL_KINDS = ", ".join(f"'{kind.value}'" for kind in kinds_in(Bucket.REFERRAL))
DAY = "(occurred_at AT TIME ZONE 'UTC')::date"
STORE = "coalesce(store_id, '')"

HAS_ACCOUNT = "SELECT EXISTS (SELECT 1 FROM accounts WHERE business_id = $1 AND account_id = $2)"

_LOTS_DUE = (
    "l.business_id = $1 AND l.remaining > 0 AND l.expires_at IS NOT NULL AND l.expires_at < $2"
)


def expiring(*, one_account: bool, after: bool) -> str:
    """$1 business, $2 until, then [account], [after expires_at, after lot_id], limit."""
    params = _Params(3)
    account = f" AND l.account_id = {params.next()}" if one_account else ""
    keyset = f" AND (l.expires_at, l.lot_id) > ({params.next()}, {params.next()})" if after else ""
    return f"""
SELECT l.account_id, a.customer_id, l.lot_id, l.remaining, l.expires_at
FROM point_lots l
JOIN accounts a ON a.business_id = l.business_id AND a.account_id = l.account_id
WHERE {_LOTS_DUE}{account}{keyset}
ORDER BY l.expires_at, l.lot_id
LIMIT {params.next()}
"""


def expiring_total(*, one_account: bool) -> str:
    account = " AND l.account_id = $3" if one_account else ""
    return f"""
SELECT coalesce(sum(l.remaining), 0)::bigint AS points, count(*) AS lots,
       count(DISTINCT l.account_id) AS accounts
FROM point_lots l
WHERE {_LOTS_DUE}{account}
"""


_REFERRALS_IN = f"""
business_id = $1 AND kind IN ({REFERRAL_KINDS}) AND occurred_at >= $2 AND occurred_at < $3"""


def referrals(*, one_account: bool, after: bool) -> str:
    """$1 business, $2 from, $3 before, then [account], [after account], limit."""
    params = _Params(4)
    account = f" AND account_id = {params.next()}" if one_account else ""
    keyset = f" AND account_id > {params.next()}" if after else ""
    return f"""
SELECT account_id, min(customer_id) AS customer_id, sum(points)::bigint AS points,
       count(*) FILTER (WHERE kind = '{EntryKind.REFERRAL_BONUS.value}') AS bonuses,
       count(*) FILTER (WHERE kind = '{EntryKind.REFERRAL_REVERSAL.value}') AS reversals,
       coalesce(array_agg(DISTINCT referred_account_id)
                FILTER (WHERE referred_account_id IS NOT NULL), '{{}}') AS referred
FROM ledger_entries
WHERE {_REFERRALS_IN}{account}{keyset}
GROUP BY account_id
ORDER BY account_id
LIMIT {params.next()}
"""


def referral_total(*, one_account: bool) -> str:
    account = " AND account_id = $4" if one_account else ""
    return f"""
SELECT coalesce(sum(points), 0)::bigint AS points,
       count(*) FILTER (WHERE kind = '{EntryKind.REFERRAL_BONUS.value}') AS bonuses,
       count(*) FILTER (WHERE kind = '{EntryKind.REFERRAL_REVERSAL.value}') AS reversals,
       count(DISTINCT account_id) AS accounts
FROM ledger_entries
WHERE {_REFERRALS_IN}{account}
"""


# One column per kind, folded into buckets by domain.reports.bucket_points.
_BY_KIND = ",\n       ".join(
    f"coalesce(sum(points) FILTER (WHERE kind = '{kind.value}'), 0)::bigint AS {kind.value}"
    for kind in EntryKind
)


def movements(*, after: bool) -> str:
    """$1 business, $2 first day, $3 last day, then [after day, after store], limit."""
    keyset = f" AND ({DAY}, {STORE}) > ($4, $5)" if after else ""
    return f"""
SELECT {DAY} AS day, {STORE} AS store, count(*) AS entries,
       {_BY_KIND}
FROM ledger_entries
WHERE business_id = $1 AND {DAY} BETWEEN $2 AND $3{keyset}
GROUP BY {DAY}, {STORE}
ORDER BY {DAY}, {STORE}
LIMIT {"$6" if after else "$4"}
"""


def levels(*, after: str | None) -> str:
    """$1 business, then [after level], limit. The base level (null) comes first: after it
    (``after`` "") the named levels; after a named one, the next names."""
    keyset = "" if after is None else " AND level IS NOT NULL" if after == "" else " AND level > $2"
    return f"""
SELECT level, count(*) AS members
FROM accounts
WHERE business_id = $1 AND status <> 'closed'{keyset}
GROUP BY level
ORDER BY level NULLS FIRST
LIMIT {"$3" if after else "$2"}
"""


class _Params:
    def __init__(self, first: int) -> None:
        self._number = first - 1

    def next(self) -> str:
        self._number += 1
        return f"${self._number}"
