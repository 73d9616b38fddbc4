"""The SQL of ``loyalty verify`` that holds purchases, refunds, redemptions and lot takes
against the ledger entries they caused. Each query returns only what is wrong."""

from __future__ import annotations

from adapters.postgres.audit_sql import EARNED_ON, SCOPE

PURCHASES_NOT_MATCHING_THEIR_EARN = f"""
SELECT p.business_id, p.source, p.reference, p.points_earned, p.earn_entry_id,
       e.points AS entry_points
FROM purchases p
LEFT JOIN ledger_entries e ON e.business_id = p.business_id AND e.entry_id = p.earn_entry_id
WHERE {SCOPE.format(alias="p")}
  AND CASE WHEN p.earn_entry_id IS NULL THEN p.points_earned <> 0
      ELSE e.entry_id IS NULL OR e.kind <> 'earn' OR e.points <> p.points_earned
           OR NOT {EARNED_ON.format(entry="e", purchase="p")}
           OR e.source <> p.source OR e.source_ref <> p.reference END
"""

EARNS_WITHOUT_A_PURCHASE = f"""
SELECT e.business_id, e.entry_id, e.source, e.source_ref, e.points FROM ledger_entries e
WHERE e.kind = 'earn' AND {SCOPE.format(alias="e")}
  AND NOT EXISTS (
    SELECT 1 FROM purchases p
    WHERE p.business_id = e.business_id AND p.earn_entry_id = e.entry_id
  )
"""

PURCHASES_NOT_MATCHING_THEIR_REVERSALS = f"""
SELECT p.business_id, p.source, p.reference, p.points_earned, p.points_reversed,
       coalesce(-sum(r.points), 0) AS in_entries
FROM purchases p
LEFT JOIN ledger_entries r
  ON r.business_id = p.business_id AND r.related_entry_id = p.earn_entry_id
 AND r.kind = 'reversal'
WHERE {SCOPE.format(alias="p")}
GROUP BY p.business_id, p.source, p.reference, p.points_earned, p.points_reversed
HAVING p.points_reversed <> coalesce(-sum(r.points), 0) OR p.points_reversed > p.points_earned
"""

# A refund's reversal entry carries the refund's source and reference; it reverses the earn
# of the purchase the refund names. Only an applied refund reverses, and then something
# (points, or only stamps: then its one entry is a stamp void, see audit_stamps; or only
# spent points given back: a spend return).
REFUNDS_NOT_MATCHING_THEIR_REVERSAL = f"""
SELECT f.business_id, f.source, f.reference, f.status, f.points_reversed,
       count(e.entry_id) AS entries, coalesce(-sum(e.points), 0) AS in_entries
FROM refunds f
LEFT JOIN purchases p
  ON p.business_id = f.business_id AND p.source = f.purchase_source
 AND p.reference = f.purchase_reference
LEFT JOIN ledger_entries e
  ON e.business_id = f.business_id AND e.kind = 'reversal'
 AND e.source = f.source AND e.source_ref = f.reference
WHERE {SCOPE.format(alias="f")}
GROUP BY f.business_id, f.source, f.reference, f.status, f.points_reversed, p.earn_entry_id
HAVING count(e.entry_id) <> (CASE WHEN f.points_reversed > 0 THEN 1 ELSE 0 END)
    OR (f.status = 'applied') <> (f.points_reversed > 0 OR EXISTS (
        SELECT 1 FROM ledger_entries v
        WHERE v.business_id = f.business_id AND v.kind IN ('stamp_void', 'spend_return')
          AND v.source = f.source AND v.source_ref = f.reference))
    OR coalesce(-sum(e.points), 0) <> f.points_reversed
    OR coalesce(
        bool_or(e.entry_id IS NOT NULL AND e.related_entry_id IS DISTINCT FROM p.earn_entry_id),
        false
    )
"""

REVERSALS_WITHOUT_A_REFUND = f"""
SELECT e.business_id, e.entry_id, e.source, e.source_ref, e.points FROM ledger_entries e
WHERE e.kind = 'reversal' AND {SCOPE.format(alias="e")}
  AND NOT EXISTS (
    SELECT 1 FROM refunds f
    WHERE f.business_id = e.business_id AND f.source = e.source AND f.reference = e.source_ref
  )
"""

# Captured means one capture entry of -points, whether by the till or by a sale; a captured
# redemption cancelled afterwards also has one cancel entry of +points giving it back, less
# what the returns of the sale it paid for gave back before (purchases.points_spent_returned:
# returns after the cancel give nothing); one held, expired or cancelled before capture has
# neither.
REDEMPTIONS_NOT_MATCHING_THEIR_ENTRIES = f"""
WITH by_redemption AS (
    SELECT business_id, source_ref,
           count(*) FILTER (WHERE kind IN ('redemption', 'stamp_redemption')) AS captures,
           count(*) FILTER (WHERE kind = 'redemption_cancelled') AS cancels
    FROM ledger_entries e
    WHERE kind IN ('redemption', 'stamp_redemption', 'redemption_cancelled')
      AND {SCOPE.format(alias="e")}
    GROUP BY business_id, source_ref
), checked AS (
    SELECT r.business_id, r.redemption_id, r.status, r.points,
           coalesce(b.captures, 0) AS captures, coalesce(b.cancels, 0) AS cancels,
           r.status = 'captured' OR (r.status = 'cancelled' AND r.entry_id IS NOT NULL)
               AS was_captured,
           r.entry_id IS NOT NULL AND cap.kind IN ('redemption', 'stamp_redemption')
               AND cap.points = -r.points AND cap.stamps = -r.stamps
               AND cap.account_id = r.account_id AND cap.source_ref = r.redemption_id::text
               AS capture_matches,
           r.cancel_entry_id IS NOT NULL AND can.kind = 'redemption_cancelled'
               AND can.points = r.points - coalesce(p.points_spent_returned, 0)
               AND can.stamps = r.stamps
               AND can.account_id = r.account_id
               AND can.source_ref = r.redemption_id::text
               AND can.related_entry_id = r.entry_id AS cancel_matches,
           r.entry_id, r.cancel_entry_id
    FROM redemptions r
    LEFT JOIN by_redemption b
      ON b.business_id = r.business_id AND b.source_ref = r.redemption_id::text
    LEFT JOIN ledger_entries cap ON cap.business_id = r.business_id AND cap.entry_id = r.entry_id
    LEFT JOIN ledger_entries can
      ON can.business_id = r.business_id AND can.entry_id = r.cancel_entry_id
    LEFT JOIN purchases p
      ON p.business_id = r.business_id AND p.spend_redemption_id = r.redemption_id
    WHERE {SCOPE.format(alias="r")}
)
SELECT business_id, redemption_id, status, points, problem FROM (
    SELECT *, CASE
        WHEN captures > 1 THEN 'is captured by ' || captures || ' entries'
        WHEN cancels > 1 THEN 'is given back by ' || cancels || ' entries'
        WHEN was_captured AND captures = 0 THEN 'has no capture entry'
        WHEN was_captured AND NOT coalesce(capture_matches, false)
            THEN 'does not match its capture entry'
        WHEN NOT was_captured AND (captures > 0 OR entry_id IS NOT NULL)
            THEN 'was never captured but has a capture entry'
        WHEN status = 'cancelled' AND was_captured AND cancels = 0
            THEN 'was cancelled after capture but has no cancel entry'
        WHEN status = 'cancelled' AND was_captured AND NOT coalesce(cancel_matches, false)
            THEN 'does not match its cancel entry'
        WHEN NOT (status = 'cancelled' AND was_captured)
             AND (cancels > 0 OR cancel_entry_id IS NOT NULL)
            THEN 'was not cancelled after capture but has a cancel entry'
    END AS problem FROM checked
) found
WHERE problem IS NOT NULL
"""

REDEMPTION_ENTRIES_WITHOUT_A_REDEMPTION = f"""
SELECT e.business_id, e.entry_id, e.kind, e.source_ref FROM ledger_entries e
WHERE e.kind IN ('redemption', 'stamp_redemption', 'redemption_cancelled')
  AND {SCOPE.format(alias="e")}
  AND NOT EXISTS (
    SELECT 1 FROM redemptions r
    WHERE r.business_id = e.business_id AND r.redemption_id::text = e.source_ref
  )
"""

LOTS_SINCE = """
SELECT min(applied_at_utc) AT TIME ZONE 'UTC' FROM _yoyo_migrations
WHERE migration_id = '0005_point_lots'
"""

# A negative entry takes from its account's lots what they hold, up to its points; what is
# left is a debt (a negative balance). Lots hold max(balance, 0), so the takes add up to
# max(0, min(-points, balance before)). Entries recorded before lots existed ($2) took
# nothing; one of them that took something is still held to the rule.
ENTRIES_NOT_MATCHING_THEIR_TAKES = f"""
WITH takes AS (
    SELECT business_id, entry_id, sum(points) AS taken FROM lot_takes t
    WHERE {SCOPE.format(alias="t")} GROUP BY business_id, entry_id
)
SELECT e.business_id, e.entry_id, e.account_id, e.kind, e.points,
       coalesce(t.taken, 0) AS taken,
       greatest(0, least(-e.points, e.balance_after - e.points)) AS expected
FROM ledger_entries e
LEFT JOIN takes t ON t.business_id = e.business_id AND t.entry_id = e.entry_id
WHERE e.points < 0 AND {SCOPE.format(alias="e")}
  AND coalesce(t.taken, 0) <> greatest(0, least(-e.points, e.balance_after - e.points))
  AND (t.entry_id IS NOT NULL OR e.recorded_at >= $2)
"""

TAKES_NOT_MATCHING_AN_ENTRY_OR_LOT = f"""
SELECT t.business_id, t.entry_id, t.lot_id, t.points FROM lot_takes t
LEFT JOIN ledger_entries e ON e.business_id = t.business_id AND e.entry_id = t.entry_id
LEFT JOIN point_lots l ON l.business_id = t.business_id AND l.lot_id = t.lot_id
WHERE {SCOPE.format(alias="t")}
  AND (e.entry_id IS NULL OR e.points >= 0 OR l.lot_id IS NULL OR l.account_id <> e.account_id)
"""

# Takes and the debt a lot paid off when it opened are all that lower its remaining points.
OVER_TAKEN_LOTS = f"""
SELECT l.business_id, l.lot_id, l.account_id, l.points, l.remaining, sum(t.points) AS taken
FROM point_lots l
JOIN lot_takes t ON t.business_id = l.business_id AND t.lot_id = l.lot_id
WHERE {SCOPE.format(alias="l")}
GROUP BY l.business_id, l.lot_id, l.account_id, l.points, l.remaining
HAVING sum(t.points) + l.remaining > l.points
"""

OVER_REFUNDED = f"""
SELECT p.business_id, p.source, p.reference, p.total, p.refunded_amount, p.currency
FROM purchases p
WHERE p.refunded_amount > p.total AND {SCOPE.format(alias="p")}
"""

# How long a refund has been parked: since its event was processed (the inbox row), not
# since it happened upstream, so replaying old events does not make them look stuck.
PARKED_TOO_LONG = f"""
SELECT f.business_id, f.source, f.reference, f.purchase_source, f.purchase_reference,
       coalesce(i.processed_at, f.occurred_at) AS parked_since
FROM refunds f
LEFT JOIN inbox i ON i.business_id = f.business_id AND i.event_id = f.event_id
WHERE f.status = 'parked' AND {SCOPE.format(alias="f")}
  AND coalesce(i.processed_at, f.occurred_at) < now() - make_interval(secs => $2)
ORDER BY parked_since LIMIT 100
"""
