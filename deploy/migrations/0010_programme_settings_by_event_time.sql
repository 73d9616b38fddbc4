-- The settings that decide an event's outcome are versioned with the rates, so the version
-- in force at the event's occurred_at decides them: whether the programme runs, how long
-- earned points last and how long they stay pending. Before, they were read from the
-- programme row at processing time, so pausing the programme today made a replay of last
-- month's sales skip, and a replay into an empty database built other lots.
-- The programme row keeps the settings as last set (what a manager sees, and what a
-- change that does not name a setting keeps).
-- depends: 0007_outbox_keeps_only_pending

ALTER TABLE rule_versions
    ADD COLUMN active boolean NOT NULL DEFAULT true,
    ADD COLUMN points_validity_days integer CHECK (points_validity_days > 0),
    ADD COLUMN pending_days integer NOT NULL DEFAULT 0 CHECK (pending_days >= 0);

-- Existing versions: each change of a setting also added a version, so the latest version
-- (by number) was set with the settings the programme row holds now. What the settings were
-- for older versions was not kept: their validity and return window are taken to be the
-- current ones, and the programme to have been running (the old code had no way to record
-- a pause without a new version, and a version is rarely set on a paused programme).
UPDATE rule_versions r
SET active = CASE WHEN r.version = latest.version THEN p.active ELSE true END,
    points_validity_days = p.points_validity_days,
    pending_days = p.pending_days
FROM programmes p,
     (SELECT business_id, max(version) AS version FROM rule_versions GROUP BY business_id) latest
WHERE p.business_id = r.business_id AND latest.business_id = r.business_id;
