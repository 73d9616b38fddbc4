-- Personal data lives outside the immutable, hash-chained ledger, keyed by the account, so that
-- erasing a person deletes rows here and leaves the ledger whole. The ledger keeps only ids.
-- customer_identifiers: the ways a till finds a member (a phone in E.164, a card number, an
-- e-mail), each unique per business. customer_profiles: what a member is called.
-- account_forwards: after a merge, the customer id that was merged away points at the survivor.
-- depends: 0023_referral_returns_in_window

CREATE TABLE customer_identifiers (
    business_id text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('phone', 'card', 'email')),
    value       text        NOT NULL CHECK (value <> ''),
    account_id  uuid        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, kind, value),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, account_id)
);
CREATE INDEX customer_identifiers_of_account ON customer_identifiers (business_id, account_id);

CREATE TABLE customer_profiles (
    business_id text        NOT NULL,
    account_id  uuid        NOT NULL,
    name        text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, account_id),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, account_id)
);

CREATE TABLE account_forwards (
    business_id text        NOT NULL,
    customer_id text        NOT NULL,
    account_id  uuid        NOT NULL,
    merged_at   timestamptz NOT NULL,
    PRIMARY KEY (business_id, customer_id),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, account_id)
);

-- What accounts held so far is copied here; the columns on accounts go once no code reads them.
-- Phones are copied as the till typed them, less punctuation (the form inline enrolment used):
-- numbers that are not E.164 yet are normalised by the code that reads them.
INSERT INTO customer_identifiers (business_id, kind, value, account_id, created_at)
SELECT business_id, 'phone', regexp_replace(phone, '[^0-9+]', '', 'g'), account_id, created_at
  FROM accounts
 WHERE regexp_replace(coalesce(phone, ''), '[^0-9+]', '', 'g') <> ''
ON CONFLICT DO NOTHING;

INSERT INTO customer_profiles (business_id, account_id, name, updated_at)
SELECT business_id, account_id, name, updated_at
  FROM accounts
 WHERE name IS NOT NULL;
