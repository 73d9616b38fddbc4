-- Referrals: each account's referral code (8 Crockford base32 characters, unique per
-- business: domain.referrals.referral_code, the same derivation as the function below), and
-- the referral that enrolled an account, from its enrolment to its first qualifying sale's
-- bonuses and their reversal. Accounts enrolled before get their codes here.
-- depends: 0016_sources_levels_referrals
CREATE TABLE referral_codes (
    business_id text NOT NULL,
    code        text NOT NULL CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{8}$'),
    account_id  uuid NOT NULL,
    PRIMARY KEY (business_id, code),
    UNIQUE (business_id, account_id),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, account_id)
);

CREATE TABLE referrals (
    business_id         text        NOT NULL,
    referred_account_id uuid        NOT NULL,
    referrer_account_id uuid        NOT NULL,
    code                text        NOT NULL,
    enrolled_at         timestamptz NOT NULL,
    sale_source         text,
    sale_reference      text,
    sale_occurred_at    timestamptz,
    outcome             text CHECK (outcome IN
                            ('paid', 'referrer_suspended', 'referrer_closed', 'no_policy')),
    referred_entry_id   uuid,
    referrer_entry_id   uuid,
    referred_points     bigint      NOT NULL DEFAULT 0,
    referrer_points     bigint      NOT NULL DEFAULT 0,
    return_window_days  integer     NOT NULL DEFAULT 0,
    reversed_at         timestamptz,
    PRIMARY KEY (business_id, referred_account_id),
    CHECK (referrer_account_id <> referred_account_id),
    CHECK ((sale_reference IS NULL) = (outcome IS NULL)),
    FOREIGN KEY (business_id, referred_account_id) REFERENCES accounts (business_id, account_id),
    FOREIGN KEY (business_id, referrer_account_id) REFERENCES accounts (business_id, account_id)
);

-- A referrer's referrals (what it earned by referring).
CREATE INDEX referrals_by_referrer ON referrals (business_id, referrer_account_id);

-- Once per referred customer, whatever events arrive: one bonus (and one reversal) on the
-- referred account itself, one on its referrer naming it.
CREATE UNIQUE INDEX ledger_entries_one_referred_bonus
    ON ledger_entries (business_id, account_id, kind)
    WHERE kind IN ('referral_bonus', 'referral_reversal') AND referred_account_id IS NULL;
CREATE UNIQUE INDEX ledger_entries_one_referrer_bonus
    ON ledger_entries (business_id, referred_account_id, kind)
    WHERE kind IN ('referral_bonus', 'referral_reversal') AND referred_account_id IS NOT NULL;

CREATE FUNCTION referral_code(business text, account uuid, attempt integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT string_agg(
               substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((d.n >> (35 - 5 * i)) & 31)::integer + 1, 1),
               '' ORDER BY i)
    FROM (SELECT ('x' || lpad(encode(substr(sha256(convert_to(
                      business || chr(31) || account::text || chr(31) || attempt::text, 'UTF8')),
                  1, 5), 'hex'), 16, '0'))::bit(64)::bigint AS n) AS d,
         generate_series(0, 7) AS i
$$;

INSERT INTO referral_codes (business_id, code, account_id)
SELECT business_id, referral_code(business_id, account_id, 0), account_id FROM accounts
ON CONFLICT DO NOTHING;

-- The rare account whose first code another one took: the next attempts, as enrolment does.
DO $$
DECLARE
    a record;
    attempt integer;
BEGIN
    FOR a IN SELECT x.business_id, x.account_id FROM accounts x
             WHERE NOT EXISTS (SELECT 1 FROM referral_codes c
                               WHERE c.business_id = x.business_id AND c.account_id = x.account_id)
             ORDER BY x.business_id, x.account_id LOOP
        attempt := 1;
        LOOP
            INSERT INTO referral_codes (business_id, code, account_id)
            VALUES (a.business_id, referral_code(a.business_id, a.account_id, attempt), a.account_id)
            ON CONFLICT DO NOTHING;
            EXIT WHEN FOUND;
            attempt := attempt + 1;
        END LOOP;
    END LOOP;
END
$$;
