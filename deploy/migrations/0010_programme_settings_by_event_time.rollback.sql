-- The programme row still holds the settings as last set; the versions' copies go.
ALTER TABLE rule_versions
    DROP COLUMN pending_days,
    DROP COLUMN points_validity_days,
    DROP COLUMN active;
