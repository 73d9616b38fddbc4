"""Referrals across a merge on real PostgreSQL (``tests/support/merge_referrals.py``, the same
scenarios the in-memory unit of work runs): a full return takes each bonus back from the
account that holds the points after the merge, a referrer merged away before the first sale is
paid as the survivor, and the ledger verifies."""

from __future__ import annotations

import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.use_cases.verification import verify_ledger
from tests.support.merge_referrals import SCENARIOS, Scenario, played

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
async def test_referral_bonuses_follow_the_points_through_a_merge(
    uow_factory: PostgresUnitOfWorkFactory, scenario: Scenario
) -> None:
    shop, bonuses = await played(uow_factory, scenario)

    assert bonuses == scenario.bonuses
    assert (await verify_ledger(uow_factory, shop, 3600)).ok
