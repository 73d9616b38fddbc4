-- Point lots: which points a balance is made of, when they become spendable (the return
-- window) and when they expire. Lot rows change (their remaining points); the ledger does
-- not. Invariant per account: sum(remaining) = greatest(balance, 0).
-- No foreign keys from lots to accounts or entries, for the reason 0004 gives: lots are
-- written in the same statement batch as their entries, under the account's lock.
-- depends: 0004_outbox_without_foreign_key

ALTER TABLE programmes
    ADD COLUMN points_validity_days integer CHECK (points_validity_days > 0),
    ADD COLUMN pending_days integer NOT NULL DEFAULT 0 CHECK (pending_days >= 0),
    ADD COLUMN inactivity_days integer CHECK (inactivity_days > 0);

ALTER TABLE accounts ADD COLUMN last_activity_at timestamptz;

CREATE TABLE point_lots (
    business_id  text        NOT NULL,
    account_id   uuid        NOT NULL,
    lot_id       uuid        NOT NULL,
    entry_id     uuid        NOT NULL,
    earned_at    timestamptz NOT NULL,
    available_at timestamptz NOT NULL,
    expires_at   timestamptz,
    points       bigint      NOT NULL CHECK (points > 0),
    remaining    bigint      NOT NULL CHECK (remaining >= 0 AND remaining <= points),
    PRIMARY KEY (business_id, lot_id)
);

CREATE INDEX point_lots_open ON point_lots (business_id, account_id) WHERE remaining > 0;
CREATE INDEX point_lots_expiring ON point_lots (expires_at)
    WHERE remaining > 0 AND expires_at IS NOT NULL;

-- Which lots each negative entry took from: the audit trail of expiry, and what a cancelled
-- redemption gives back.
CREATE TABLE lot_takes (
    business_id text   NOT NULL,
    entry_id    uuid   NOT NULL,
    lot_id      uuid   NOT NULL,
    points      bigint NOT NULL CHECK (points > 0),
    PRIMARY KEY (business_id, entry_id, lot_id)
);

CREATE INDEX accounts_inactive ON accounts (business_id, last_activity_at) WHERE balance > 0;

-- Backfill. Before lots, points never expired and were never pending, so every positive
-- entry becomes a lot available from when it happened, without expiry; what was spent is
-- taken from the oldest lots first, so the newest positive entries hold the balance.
WITH positive AS (
    SELECT e.business_id, e.account_id, e.entry_id, e.occurred_at, e.points, a.balance,
           sum(e.points) OVER (PARTITION BY e.business_id, e.account_id ORDER BY e.seq DESC)
               - e.points AS newer_points
    FROM ledger_entries e
    JOIN accounts a ON a.business_id = e.business_id AND a.account_id = e.account_id
    WHERE e.points > 0
)
INSERT INTO point_lots (business_id, account_id, lot_id, entry_id, earned_at, available_at,
    expires_at, points, remaining)
SELECT business_id, account_id, entry_id, entry_id, occurred_at, occurred_at, NULL, points,
       least(points, greatest(0, greatest(balance, 0) - newer_points))
FROM positive;

UPDATE accounts AS a SET last_activity_at = e.last_activity
FROM (
    SELECT business_id, account_id, max(occurred_at) AS last_activity
    FROM ledger_entries
    WHERE kind IN ('earn', 'reversal', 'welcome_bonus', 'redemption')
    GROUP BY business_id, account_id
) AS e
WHERE a.business_id = e.business_id AND a.account_id = e.account_id;
