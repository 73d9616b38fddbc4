DROP INDEX ledger_entries_one_stamp_earn_per_purchase;

ALTER TABLE purchases
    DROP CONSTRAINT purchases_stamps_voided_within_earned,
    DROP COLUMN stamp_lines,
    DROP COLUMN stamps_returned_amount,
    DROP COLUMN stamp_entry_id,
    DROP COLUMN stamps_voided,
    DROP COLUMN stamps_earned;
