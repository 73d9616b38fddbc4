DROP INDEX IF EXISTS redemptions_counting_by_period;
