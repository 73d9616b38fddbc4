-- Erasure without breaking the ledger. Entries stay immutable, with one narrow exception an
-- erasure needs: inside a transaction that set `loyalty.erasing` to 'on' (SET LOCAL), an UPDATE
-- may change an entry's customer_id (a phone number became an opaque id), its prev_hash and
-- entry_hash (the account's chain re-sealed over the new id) and its ip_address and user_agent
-- (never hashed: nulled on erasure and after the retention period). Any other column changed,
-- any DELETE or TRUNCATE, or the setting off: refused as before.
-- chain_reseals records each re-seal, so an auditor sees the chain was recomputed after a
-- clean verify, from which head to which.
-- depends: 0023_referral_returns_in_window

CREATE OR REPLACE FUNCTION ledger_entries_are_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    erasable CONSTANT text[] := ARRAY['customer_id', 'prev_hash', 'entry_hash',
                                      'ip_address', 'user_agent'];
BEGIN
    IF TG_OP = 'UPDATE'
       AND coalesce(current_setting('loyalty.erasing', true), '') = 'on'
       AND (to_jsonb(NEW) - erasable) = (to_jsonb(OLD) - erasable) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ledger entries are immutable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TABLE chain_reseals (
    business_id  text        NOT NULL,
    reseal_id    uuid        NOT NULL,
    account_id   uuid        NOT NULL,
    resealed_at  timestamptz NOT NULL,
    old_head     text        NOT NULL,
    new_head     text        NOT NULL,
    entries      bigint      NOT NULL CHECK (entries >= 0),
    reason       text        NOT NULL,
    PRIMARY KEY (business_id, reseal_id),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, account_id)
);
CREATE INDEX chain_reseals_of_account ON chain_reseals (business_id, account_id);

-- The retention sweep's way to the entries still holding an address or user agent: only
-- those are indexed, so the index shrinks as the sweep clears them.
CREATE INDEX ledger_entries_attributed ON ledger_entries (recorded_at)
    WHERE ip_address IS NOT NULL OR user_agent IS NOT NULL;
