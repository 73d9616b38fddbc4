"""The SQL of erasure (``adapters.postgres.erasure``)."""

from __future__ import annotations

from adapters.postgres.accounts import ACCOUNT_COLUMNS
from adapters.postgres.rows import LEDGER_COLUMNS

# Only inside this transaction may an entry's customer id, hashes, IP address and user agent
# change (the trigger of migration 0026 checks it); it ends with the transaction.
ERASING = "SELECT set_config('loyalty.erasing', 'on', true)"

# The account a person is known by: its customer id, its account id, or one of its
# identifiers, in that order of precedence.
LOCK_ACCOUNT = f"""
SELECT {ACCOUNT_COLUMNS} FROM accounts a
WHERE business_id = $1 AND account_id = (
    SELECT account_id FROM (
        SELECT account_id, 1 AS rank FROM accounts WHERE business_id = $1 AND customer_id = $2
        UNION ALL
        SELECT account_id, 2 FROM accounts WHERE business_id = $1 AND account_id::text = $2
        UNION ALL
        SELECT account_id, 3 FROM customer_identifiers WHERE business_id = $1 AND value = $2
    ) found ORDER BY rank LIMIT 1
)
FOR UPDATE
"""

CHAIN = f"""
SELECT {LEDGER_COLUMNS} FROM ledger_entries
WHERE business_id = $1 AND account_id = $2
ORDER BY seq
"""

CONTACT_COLUMNS = """
SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'accounts'
  AND column_name IN ('phone', 'name')
ORDER BY column_name
"""

PERSONAL_DATA = """
SELECT
    ARRAY(SELECT value FROM customer_identifiers
          WHERE business_id = $1 AND account_id = $2 ORDER BY kind, value) AS identifiers,
    (SELECT count(*) FROM customer_profiles
     WHERE business_id = $1 AND account_id = $2) AS profiles,
    (SELECT count(*) FROM ledger_entries
     WHERE business_id = $1 AND account_id = $2
       AND (ip_address IS NOT NULL OR user_agent IS NOT NULL)) AS attributed,
    EXISTS (SELECT 1 FROM ledger_entries
            WHERE business_id = $1 AND account_id = $2 AND kind = 'erased') AS erased_before
"""

OLD_CUSTOMER_ID = "SELECT customer_id FROM accounts WHERE business_id = $1 AND account_id = $2"

RESEAL_ENTRIES = """
UPDATE ledger_entries e
SET customer_id = $3, prev_hash = r.prev_hash, entry_hash = r.entry_hash,
    ip_address = NULL, user_agent = NULL
FROM unnest($4::uuid[], $5::text[], $6::text[]) AS r (entry_id, prev_hash, entry_hash)
WHERE e.business_id = $1 AND e.account_id = $2 AND e.entry_id = r.entry_id
"""

RESEAL_ACCOUNT = """
UPDATE accounts SET customer_id = $3, last_hash = $4, updated_at = now()
WHERE business_id = $1 AND account_id = $2
"""

# Every other row naming the customer by the old id: the purchases and refunds its sales
# made and refused hold captures; a forward from the old id goes (it would carry it on).
FOLLOW_NEW_ID = (
    "UPDATE purchases SET customer_id = $3 WHERE business_id = $1 AND customer_id = $2",
    "UPDATE refunds SET customer_id = $3 WHERE business_id = $1 AND customer_id = $2",
    "UPDATE hold_capture_refusals SET customer_id = $3 WHERE business_id = $1 AND customer_id = $2",
)
FORGET_OLD_FORWARD = "DELETE FROM account_forwards WHERE business_id = $1 AND customer_id = $2"

RECORD_RESEAL = """
INSERT INTO chain_reseals
    (business_id, reseal_id, account_id, resealed_at, old_head, new_head, entries, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""


def contact_fields_set(columns: list[str]) -> str:
    """How many of accounts' contact ``columns`` (those still there) hold a value."""
    counted = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) or "0"
    return f"SELECT {counted} FROM accounts WHERE business_id = $1 AND account_id = $2"


def clear_contact_fields(columns: list[str]) -> str | None:
    if not columns:
        return None
    nulled = ", ".join(f"{c} = NULL" for c in columns)
    return f"UPDATE accounts SET {nulled} WHERE business_id = $1 AND account_id = $2"


REMOVE_PERSONAL_DATA = (
    "DELETE FROM customer_identifiers WHERE business_id = $1 AND account_id = $2",
    "DELETE FROM customer_profiles WHERE business_id = $1 AND account_id = $2",
    # Forwards from a merged-away inline customer id carry that customer's phone number.
    "DELETE FROM account_forwards"
    " WHERE business_id = $1 AND account_id = $2 AND customer_id LIKE 'phone:%'",
    "UPDATE ledger_entries SET ip_address = NULL, user_agent = NULL"
    " WHERE business_id = $1 AND account_id = $2"
    " AND (ip_address IS NOT NULL OR user_agent IS NOT NULL)",
)

# One batch of the retention sweep, by the partial index of migration 0026.
CLEAR_ATTRIBUTION = """
WITH due AS (
    SELECT business_id, entry_id FROM ledger_entries
    WHERE recorded_at < $1 AND (ip_address IS NOT NULL OR user_agent IS NOT NULL)
    LIMIT $2
)
UPDATE ledger_entries e SET ip_address = NULL, user_agent = NULL
FROM due WHERE e.business_id = due.business_id AND e.entry_id = due.entry_id
"""
