DROP INDEX accounts_inactive;
DROP TABLE lot_takes;
DROP TABLE point_lots;
ALTER TABLE accounts DROP COLUMN last_activity_at;
ALTER TABLE programmes
    DROP COLUMN points_validity_days,
    DROP COLUMN pending_days,
    DROP COLUMN inactivity_days;
