-- Identifiers and names live only in customer_identifiers and customer_profiles (0025); the
-- code reads and writes them there, so the copies on accounts go.
-- Rows written by older code between 0025 and this migration are copied first. Phones copied
-- as the till typed them are made E.164 for the default region (GB: a national 0 becomes
-- +44) where that is unambiguous; any other form stays as it was, and staff can add the
-- number again in E.164 (POST /v1/accounts/{id}/identifiers).
-- depends: 0023_referral_returns_in_window 0025_personal_data

INSERT INTO customer_identifiers (business_id, kind, value, account_id, created_at)
SELECT business_id, 'phone', regexp_replace(phone, '[^0-9+]', '', 'g'), account_id, created_at
  FROM accounts
 WHERE regexp_replace(coalesce(phone, ''), '[^0-9+]', '', 'g') <> ''
ON CONFLICT DO NOTHING;

INSERT INTO customer_profiles (business_id, account_id, name, updated_at)
SELECT business_id, account_id, name, updated_at
  FROM accounts
 WHERE name IS NOT NULL
ON CONFLICT DO NOTHING;

-- 0044... (00 international prefix) and 44... typed without + are read as international;
-- 07... as a GB national number. A value whose E.164 form another account holds already
-- stays as it was (the unique key): that pair is for a merge, not for this migration.
UPDATE customer_identifiers AS c
   SET value = n.e164
  FROM (SELECT business_id, value,
               CASE WHEN value ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(value, 3)
                    WHEN value ~ '^0[1-9][0-9]{8,9}$' THEN '+44' || substr(value, 2)
               END AS e164
          FROM customer_identifiers
         WHERE kind = 'phone' AND value !~ '^\+') AS n
 WHERE c.business_id = n.business_id AND c.kind = 'phone' AND c.value = n.value
   AND n.e164 IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM customer_identifiers AS t
                    WHERE t.business_id = c.business_id AND t.kind = 'phone' AND t.value = n.e164);

ALTER TABLE accounts DROP COLUMN phone, DROP COLUMN name;
