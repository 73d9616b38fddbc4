-- What each purchase earned in stamps (its stamp-earn entry), what its returns voided, the
-- amount returned by amount and, on a card with an item basis, what each SKU earned and
-- how much of it came back (JSON: read and written whole with its purchase). Constant
-- defaults: no table rewrite.
-- depends: 0011_stamps_rewards_devices
ALTER TABLE purchases
    ADD COLUMN stamps_earned bigint NOT NULL DEFAULT 0 CHECK (stamps_earned >= 0),
    ADD COLUMN stamps_voided bigint NOT NULL DEFAULT 0,
    ADD COLUMN stamp_entry_id uuid,
    ADD COLUMN stamps_returned_amount numeric NOT NULL DEFAULT 0,
    ADD COLUMN stamp_lines jsonb,
    ADD CONSTRAINT purchases_stamps_voided_within_earned
        CHECK (stamps_voided >= 0 AND stamps_voided <= stamps_earned);

-- A sale or bill earns stamps at most once, whatever event ids it arrives under.
CREATE UNIQUE INDEX ledger_entries_one_stamp_earn_per_purchase
    ON ledger_entries (business_id, source, source_ref) WHERE kind = 'stamp_earn';
