"""Regression (found while extending the model test): a calendar review at Jan 1 00:00 moved a
member down, then a sale at that very instant lifted them up again (dated at the moment, it
counts in the new year); the next review of the same moment decided again and posted a
second downgrade with the first one's id, so its whole chunk of accounts failed at every run
until the next year. A moment that already has a change dated at it is decided."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes.clock import FakeClock
from tests.unit.builders import RECORDED_AT, at, sale
from tests.unit.test_level_review import ROLLING, _levels, _review, _world

pytestmark = pytest.mark.unit

JAN_1 = datetime(2027, 1, 1, tzinfo=UTC)


def test_a_second_review_of_a_moment_after_a_sale_at_that_instant_posts_nothing() -> None:
    store, uows = _world(replace(ROLLING, window_days=None), sale("s1", "600", occurred_at=at(1)))
    assert _review(uows, datetime(2027, 1, 1, 8, tzinfo=UTC)).downgraded == 1
    asyncio.run(
        ApplyEventBatch(uows, FakeClock(RECORDED_AT))([sale("s2", "600", occurred_at=JAN_1)])
    )

    again = _review(uows, datetime(2027, 1, 1, 9, tzinfo=UTC))

    assert (again.failed, again.downgraded) == (0, 0)
    assert _levels(store)[-2:] == [("Gold", None, JAN_1), (None, "Gold", JAN_1)]
