ALTER TABLE rule_versions
    DROP COLUMN stamp_card,
    DROP COLUMN item_rules;

ALTER TABLE ledger_entries
    DROP COLUMN category_ids,
    DROP COLUMN reward_description,
    DROP COLUMN reward_id,
    DROP COLUMN stamps_balance_after,
    DROP COLUMN stamps,
    DROP COLUMN device_id;

ALTER TABLE accounts
    DROP COLUMN stamps;
