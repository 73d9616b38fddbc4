ALTER TABLE referrals DROP COLUMN returned_in_window;
