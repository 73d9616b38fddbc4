DROP INDEX ledger_entries_attributed;
DROP TABLE chain_reseals;

CREATE OR REPLACE FUNCTION ledger_entries_are_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are immutable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
