-- Rows brought over by `loyalty import`, by the key the file gives them: a rerun of the same
-- file (after a crash half-way, or by mistake) finds its rows here and imports nothing twice.
-- `digest` is the row's content: the same key with other values is refused, not ignored.
-- Written in the same transaction as the accounts and entries the rows made.
-- depends: 0023_referral_returns_in_window

CREATE TABLE import_rows (
    business_id text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('account', 'balance')),
    row_key     text        NOT NULL CHECK (row_key <> ''),
    digest      text        NOT NULL,
    account_id  uuid        NOT NULL,
    entry_id    uuid,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, kind, row_key)
);
