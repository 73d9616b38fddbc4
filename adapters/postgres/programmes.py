"""PostgresProgrammes: programme settings and their rule versions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import asyncpg

from adapters.postgres.card_rules import (
    item_rules_json,
    referral_json,
    stamp_card_json,
    tiers_json,
)
from adapters.postgres.rows import programme_from, qualified, rule_from
from domain.programme import Programme, RuleVersion

PROGRAMME_COLUMNS = (
    "business_id, name, active, inline_enrolment, welcome_bonus, hold_minutes,"
    " points_validity_days, pending_days, inactivity_days, redeem_limit_points,"
    " redeem_limit_period"
)

# Programmes with their rule versions (as rows of rule_versions) in one round trip.
PROGRAMMES = f"""
SELECT {qualified("p", PROGRAMME_COLUMNS)},
       (SELECT array_agg(r ORDER BY r.version) FROM rule_versions r
        WHERE r.business_id = p.business_id) AS rules
FROM programmes p WHERE p.business_id = ANY($1::text[])
"""

UPSERT = """
INSERT INTO programmes (business_id, name, active, inline_enrolment, welcome_bonus,
    hold_minutes, points_validity_days, pending_days, inactivity_days, redeem_limit_points,
    redeem_limit_period)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (business_id) DO UPDATE
SET name = EXCLUDED.name, active = EXCLUDED.active,
    inline_enrolment = EXCLUDED.inline_enrolment, welcome_bonus = EXCLUDED.welcome_bonus,
    hold_minutes = EXCLUDED.hold_minutes, points_validity_days = EXCLUDED.points_validity_days,
    pending_days = EXCLUDED.pending_days, inactivity_days = EXCLUDED.inactivity_days,
    redeem_limit_points = EXCLUDED.redeem_limit_points,
    redeem_limit_period = EXCLUDED.redeem_limit_period, updated_at = now()
"""

# A version records the event-time settings it was set with; a version given without them
# (None) records the programme's as they stand, which is what None means in the domain.
INSERT_RULE = """
INSERT INTO rule_versions (business_id, version, effective_from, earn_rate, redemption_rate,
    multiplier, multiplier_from, multiplier_until, max_discount, min_balance_to_redeem,
    active, points_validity_days, pending_days, item_rules, stamp_card, tiers, referral)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
       CASE WHEN $11::boolean THEN $12::boolean ELSE p.active END,
       CASE WHEN $11::boolean THEN $13::integer ELSE p.points_validity_days END,
       CASE WHEN $11::boolean THEN $14::integer ELSE p.pending_days END,
       $15::jsonb, $16::jsonb, $17::jsonb, $18::jsonb
FROM programmes p WHERE p.business_id = $1
"""

# Rare (a programme change), so a scan of the business's inbox rows is fine; an index on
# occurred_at would cost every batch an index insert.
LATEST_EVENT_AT = "SELECT max(occurred_at) FROM inbox WHERE business_id = $1"


async def load_programmes(
    connection: asyncpg.Connection, business_ids: Iterable[str]
) -> dict[str, Programme]:
    ids = sorted(set(business_ids))
    return {
        row["business_id"]: programme_from(row, [rule_from(rule) for rule in row["rules"] or ()])
        for row in await connection.fetch(PROGRAMMES, ids)
    }


class PostgresProgrammes:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def get(self, business_id: str) -> Programme | None:
        return (await load_programmes(self._connection, [business_id])).get(business_id)

    async def save(self, programme: Programme) -> None:
        limit = programme.redeem_limit
        await self._connection.execute(
            UPSERT,
            programme.business_id,
            programme.name,
            programme.active,
            programme.inline_enrolment,
            programme.welcome_bonus,
            programme.hold_minutes,
            programme.points_validity_days,
            programme.pending_days,
            programme.inactivity_days,
            limit.points if limit else None,
            limit.period.value if limit else None,
        )

    async def add_rule(self, business_id: str, rule: RuleVersion) -> None:
        settings = rule.settings
        await self._connection.execute(
            INSERT_RULE,
            business_id,
            rule.version,
            rule.effective_from,
            rule.earn_rate,
            rule.redemption_rate,
            rule.multiplier,
            rule.multiplier_from,
            rule.multiplier_until,
            rule.max_discount,
            rule.min_balance_to_redeem,
            settings is not None,
            settings.active if settings else None,
            settings.points_validity_days if settings else None,
            settings.pending_days if settings else None,
            item_rules_json(rule.item_rules),
            stamp_card_json(rule.stamp_card),
            tiers_json(rule.tiers),
            referral_json(rule.referral),
        )

    async def latest_event_at(self, business_id: str) -> datetime | None:
        latest: datetime | None = await self._connection.fetchval(LATEST_EVENT_AT, business_id)
        return latest
