DROP FUNCTION loyalty_iso_utc(timestamptz);
DROP AGGREGATE loyalty_chain(text, text);
DROP FUNCTION loyalty_chain_step(text, text, text);
