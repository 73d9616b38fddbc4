-- The columns come back filled from the tables that replaced them (phones as stored there).

ALTER TABLE accounts ADD COLUMN phone text, ADD COLUMN name text;

UPDATE accounts AS a
   SET phone = (SELECT min(value) FROM customer_identifiers AS c
                 WHERE c.business_id = a.business_id AND c.account_id = a.account_id
                   AND c.kind = 'phone'),
       name = (SELECT name FROM customer_profiles AS p
                WHERE p.business_id = a.business_id AND p.account_id = a.account_id);
