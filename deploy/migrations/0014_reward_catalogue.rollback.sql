DROP TRIGGER IF EXISTS redemptions_give_stock_back ON redemptions;
DROP FUNCTION IF EXISTS redemptions_give_stock_back();

ALTER TABLE redemptions
    DROP CONSTRAINT redemptions_take_something,
    ADD CONSTRAINT redemptions_points_check CHECK (points > 0),
    DROP COLUMN stock_taken,
    DROP COLUMN stamps,
    DROP COLUMN reward_description,
    DROP COLUMN reward_id;

DROP TABLE rewards;
