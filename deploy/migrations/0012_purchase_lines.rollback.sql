ALTER TABLE refunds
    DROP COLUMN items;

ALTER TABLE purchases
    DROP COLUMN returned_items,
    DROP COLUMN items;
