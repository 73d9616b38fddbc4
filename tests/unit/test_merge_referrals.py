"""Referrals across a merge on the in-memory unit of work: the scenarios PostgreSQL runs too
(``tests/support/merge_referrals.py``), so the fake merges referrals as the database does."""

from __future__ import annotations

import pytest

from service.use_cases.verification import verify_ledger
from tests.fakes import FakeUnitOfWorkFactory
from tests.support.merge_referrals import SCENARIOS, Scenario, played

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
async def test_referral_bonuses_follow_the_points_through_a_merge(scenario: Scenario) -> None:
    uows = FakeUnitOfWorkFactory()

    shop, bonuses = await played(uows, scenario)

    assert bonuses == scenario.bonuses
    assert (await verify_ledger(uows, shop, 3600)).ok
