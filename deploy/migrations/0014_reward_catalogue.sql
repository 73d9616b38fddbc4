-- The reward catalogue: each business's rewards, costing points or stamps, with an optional
-- window and stock. A reward is retired, never deleted: ledger entries name it. Redemptions
-- gain the reward they redeemed, its stamps and whether they took a unit of its stock.
-- depends: 0011_stamps_rewards_devices

CREATE TABLE rewards (
    business_id  text        NOT NULL,
    reward_id    text        NOT NULL,
    description  text        NOT NULL,
    points_cost  bigint      CHECK (points_cost > 0),
    stamps_cost  bigint      CHECK (stamps_cost > 0),
    active       boolean     NOT NULL DEFAULT true,
    active_from  timestamptz,
    active_until timestamptz,
    stock        bigint      CHECK (stock >= 0),
    PRIMARY KEY (business_id, reward_id),
    CHECK ((points_cost IS NULL) <> (stamps_cost IS NULL)),
    CHECK (active_from IS NULL OR active_until IS NULL OR active_from < active_until)
);

ALTER TABLE redemptions
    ADD COLUMN reward_id          text,
    ADD COLUMN reward_description text,
    ADD COLUMN stamps             bigint  NOT NULL DEFAULT 0 CHECK (stamps >= 0),
    ADD COLUMN stock_taken        boolean NOT NULL DEFAULT false,
    ADD FOREIGN KEY (business_id, reward_id) REFERENCES rewards (business_id, reward_id),
    DROP CONSTRAINT redemptions_points_check,
    ADD CONSTRAINT redemptions_take_something CHECK (points >= 0 AND (points > 0 OR stamps > 0));

-- A redemption that took a unit of stock gives it back when it leaves held or captured for
-- cancelled or expired. In the database, so that every path marking a hold expired (a
-- redemption releasing the account's overdue holds, a sale refused, the sweep) gives it
-- back exactly once, in the transaction that marks it.
CREATE FUNCTION redemptions_give_stock_back() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rewards SET stock = stock + 1
    WHERE business_id = NEW.business_id AND reward_id = NEW.reward_id AND stock IS NOT NULL;
    RETURN NEW;
END;
$$;

CREATE TRIGGER redemptions_give_stock_back
    AFTER UPDATE OF status ON redemptions
    FOR EACH ROW
    WHEN (OLD.stock_taken AND OLD.status IN ('held', 'captured')
          AND NEW.status IN ('cancelled', 'expired'))
    EXECUTE FUNCTION redemptions_give_stock_back();
