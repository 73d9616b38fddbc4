"""deploy/citus/distribute.sql against the migrated schema on PostgreSQL (Citus is not
installable here): it parses and runs against stub create_distributed_table /
create_reference_table functions that enforce Citus's rules, names every table the
migrations create, and every key it relies on carries business_id."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

pytestmark = pytest.mark.integration

PLAN = Path(__file__).resolve().parents[2] / "deploy" / "citus" / "distribute.sql"
YOYO_TABLES = {"_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock"}

# Stand-ins for Citus's functions, in a schema of their own, recording each call and refusing
# what Citus refuses: an unknown distribution column, colocating with a table not yet
# distributed, a table whose foreign-key parents are not distributed yet, a table twice.
STUBS = """
CREATE SCHEMA citus_stub;
CREATE TABLE citus_stub.placed (
    position serial, table_name regclass UNIQUE, method text, column_name text, colocate_with text
);
CREATE FUNCTION citus_stub.place(t regclass, how text, col text, colocate text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE parent regclass;
BEGIN
    IF col IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM pg_attribute WHERE attrelid = t AND attname = col AND NOT attisdropped
    ) THEN
        RAISE EXCEPTION 'column % of % does not exist', col, t;
    END IF;
    IF colocate NOT IN ('default', 'none')
       AND NOT EXISTS (SELECT 1 FROM citus_stub.placed WHERE table_name = colocate::regclass) THEN
        RAISE EXCEPTION '% colocated with % before it is distributed', t, colocate;
    END IF;
    FOR parent IN SELECT confrelid FROM pg_constraint WHERE conrelid = t AND contype = 'f'
    LOOP
        IF parent <> t AND NOT EXISTS (
            SELECT 1 FROM citus_stub.placed WHERE table_name = parent
        ) THEN
            RAISE EXCEPTION '% references %, not distributed yet', t, parent;
        END IF;
    END LOOP;
    INSERT INTO citus_stub.placed (table_name, method, column_name, colocate_with)
    VALUES (t, how, col, colocate);
END;
$$;
CREATE FUNCTION citus_stub.create_distributed_table(
    table_name regclass, distribution_column text, distribution_type text DEFAULT 'hash',
    colocate_with text DEFAULT 'default', shard_count integer DEFAULT NULL
) RETURNS void LANGUAGE sql AS $$
    SELECT citus_stub.place(table_name, 'distributed', distribution_column, colocate_with)
$$;
CREATE FUNCTION citus_stub.create_reference_table(table_name regclass) RETURNS void
LANGUAGE sql AS $$ SELECT citus_stub.place(table_name, 'reference', NULL, 'none') $$;
"""

TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1
"""


async def app_tables(conn: asyncpg.Connection) -> set[str]:
    return {r["relname"] for r in await conn.fetch(TABLES)} - YOYO_TABLES


async def run_plan(database_url: str, plan: str) -> tuple[list[asyncpg.Record], set[str]]:
    """The plan over the stubs in a transaction rolled back: (tables placed in order, tables)."""
    conn = await asyncpg.connect(database_url)
    try:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute(STUBS)
            await conn.execute("SET LOCAL search_path = public, citus_stub")
            await conn.execute(plan)
            placed = await conn.fetch(
                "SELECT table_name::text AS name, method, column_name, colocate_with"
                " FROM citus_stub.placed ORDER BY position"
            )
            return placed, await app_tables(conn)
        finally:
            await transaction.rollback()
    finally:
        await conn.close()


async def test_the_citus_plan_runs_and_distributes_every_table_on_business_id_colocated(
    database_url: str,
) -> None:
    placed, tables = await run_plan(database_url, PLAN.read_text())
    assert sorted(tables - {p["name"] for p in placed}) == [], "tables the plan leaves out"
    first, *rest = placed
    assert first["name"] == "programmes" and first["method"] == "distributed"
    for row in placed:
        assert (row["method"], row["column_name"]) == ("distributed", "business_id"), row
    assert {r["colocate_with"] for r in rest} == {"programmes"}


async def test_the_stubs_refuse_a_plan_distributing_a_child_before_its_parent(
    database_url: str,
) -> None:
    lines = PLAN.read_text().splitlines(keepends=True)
    rewards = next(line for line in lines if "'rewards'" in line)
    reordered = "".join(line for line in lines if line is not rewards) + rewards
    with pytest.raises(asyncpg.RaiseError, match="references rewards, not distributed yet"):
        await run_plan(database_url, reordered)


KEYS_WITHOUT_TENANT = """
SELECT c.relname AS table_name, i.relname AS key
FROM pg_index x
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND x.indisunique
  AND NOT EXISTS (
      SELECT 1 FROM pg_attribute a
      WHERE a.attrelid = c.oid AND a.attname = 'business_id' AND a.attnum = ANY (x.indkey)
  )
UNION ALL
SELECT c.relname, k.conname
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND k.contype = 'f'
  AND NOT EXISTS (
      SELECT 1 FROM unnest(k.conkey, k.confkey) AS p(child, parent)
      JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = p.child
      JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = p.parent
      WHERE ca.attname = 'business_id' AND pa.attname = 'business_id'
  )
"""


async def test_every_unique_key_and_foreign_key_carries_business_id_as_citus_requires(
    pool: asyncpg.Pool,
) -> None:
    offending = [
        (r["table_name"], r["key"])
        for r in await pool.fetch(KEYS_WITHOUT_TENANT)
        if r["table_name"] not in YOYO_TABLES
    ]
    assert offending == []
