DROP FUNCTION referral_code(text, uuid, integer);
DROP INDEX ledger_entries_one_referrer_bonus;
DROP INDEX ledger_entries_one_referred_bonus;
DROP TABLE referrals;
DROP TABLE referral_codes;
