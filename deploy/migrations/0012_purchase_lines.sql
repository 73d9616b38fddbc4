-- Line items: a purchase keeps its lines and what each earned exactly (before the sale's one
-- floor) and what its returns gave back by SKU, so a return naming items reverses what they
-- earned; a refund keeps the items it names, so a parked one is applied as sent. NULL when a
-- message had no items: no table rewrite, and rows written before read as they always did.
-- depends: 0011_stamps_rewards_devices
ALTER TABLE purchases
    ADD COLUMN items jsonb,
    ADD COLUMN returned_items jsonb;

ALTER TABLE refunds
    ADD COLUMN items jsonb;
