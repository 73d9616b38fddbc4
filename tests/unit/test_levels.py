"""Level arithmetic (domain.levels): qualifying totals at window edges, thresholds, the level
in force, review moments and downgrades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.levels import (
    Level,
    LevelBasis,
    LevelChange,
    LevelHistory,
    QualifyingFact,
    TierPolicy,
    downgrade_at,
    level_for,
    level_in_force,
    qualifying_total,
    rank,
    review_moment,
    upgrade_at,
)

pytestmark = pytest.mark.unit

SILVER = Level("Silver", Decimal(100), Decimal("1.5"))
GOLD = Level("Gold", Decimal(500), Decimal(2), "Free coffee")
T = datetime(2025, 6, 15, 10, 30, tzinfo=UTC)


def policy(window_days: int | None = 30, basis: LevelBasis = LevelBasis.POINTS) -> TierPolicy:
    return TierPolicy((SILVER, GOLD), basis, window_days)


def fact(at: datetime, points: int, amount: str = "0") -> QualifyingFact:
    return QualifyingFact(at, points, Decimal(amount))


moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
)


@given(st.decimals(min_value=0, max_value=10_000, places=2))
def test_the_level_for_a_total_is_the_highest_threshold_reached(total: Decimal) -> None:
    level = level_for(policy(), total)

    expected = GOLD if total >= 500 else SILVER if total >= 100 else None
    assert level == expected


def test_a_threshold_reached_exactly_gives_the_level_and_one_below_does_not() -> None:
    assert level_for(policy(), Decimal(100)) == SILVER
    assert level_for(policy(), Decimal("99.99")) is None
    assert level_for(policy(), Decimal(500)) == GOLD


@given(moments, st.integers(min_value=1, max_value=800))
def test_a_rolling_window_holds_its_end_and_not_its_start(at: datetime, days: int) -> None:
    p = policy(days)
    start = at - timedelta(days=days)
    facts = [
        fact(start, 1),
        fact(start + timedelta(microseconds=1), 10),
        fact(at, 100),
        fact(at + timedelta(microseconds=1), 1000),
    ]

    assert qualifying_total(p, facts, at) == 110


@given(moments)
def test_a_calendar_year_starts_on_january_first_utc(at: datetime) -> None:
    p = policy(None)
    new_year = datetime(at.year, 1, 1, tzinfo=UTC)
    facts = [fact(new_year - timedelta(microseconds=1), 1), fact(new_year, 10), fact(at, 100)]

    assert qualifying_total(p, facts, at) == 110


def test_spend_counts_money_and_returns_take_their_money_back() -> None:
    p = policy(basis=LevelBasis.SPEND)
    facts = [fact(T, 10, "120.00"), fact(T, -5, "-30.00")]

    assert qualifying_total(p, facts, T) == Decimal("90.00")


def test_the_level_in_force_is_the_latest_change_by_event_time_ties_by_seq() -> None:
    changes = [
        LevelChange(T, 7, "Gold"),
        LevelChange(T - timedelta(days=3), 9, "Silver"),  # late: recorded after, dated before
        LevelChange(T, 5, "Silver"),
    ]

    assert level_in_force(changes, T - timedelta(days=4)) is None
    assert level_in_force(changes, T - timedelta(days=1)) == "Silver"
    assert level_in_force(changes, T) == "Gold"


def test_a_total_over_a_threshold_upgrades_only_above_the_level_in_force() -> None:
    history = LevelHistory([LevelChange(T - timedelta(days=1), 3, "Gold")], [fact(T, 150)])

    assert upgrade_at(policy(), history, T) is None
    assert upgrade_at(policy(), LevelHistory([], [fact(T, 150)]), T) == SILVER


@given(moments)
def test_review_moments_are_midnight_or_new_year_utc(at: datetime) -> None:
    daily = review_moment(policy(30), at)
    yearly = review_moment(policy(None), at)

    assert daily <= at < daily + timedelta(days=1)
    assert (daily.hour, daily.minute, daily.second, daily.microsecond) == (0, 0, 0, 0)
    assert yearly == datetime(at.year, 1, 1, tzinfo=UTC)


def test_a_rolling_review_lowers_to_the_level_of_the_window_ending_at_it() -> None:
    moment = datetime(2025, 6, 15, tzinfo=UTC)
    history = LevelHistory(
        [LevelChange(datetime(2025, 5, 1, tzinfo=UTC), 2, "Gold")],
        [fact(datetime(2025, 5, 1, tzinfo=UTC), 600), fact(datetime(2025, 6, 1, tzinfo=UTC), 120)],
    )

    assert downgrade_at(policy(30), history, moment) == ("Gold", SILVER)
    assert downgrade_at(policy(60), history, moment) is None


def test_a_calendar_level_holds_through_the_next_year() -> None:
    history = LevelHistory(
        [LevelChange(datetime(2024, 11, 1, tzinfo=UTC), 2, "Gold")],
        [fact(datetime(2024, 11, 1, tzinfo=UTC), 600)],
    )
    p = policy(None)

    assert downgrade_at(p, history, datetime(2025, 1, 1, tzinfo=UTC)) is None
    assert downgrade_at(p, history, datetime(2026, 1, 1, tzinfo=UTC)) == ("Gold", None)


@given(
    st.lists(st.tuples(st.integers(0, 400), st.integers(-50, 300)), max_size=12),
    st.sampled_from([7, 30, 365, None]),
    st.integers(0, 800),
)
def test_a_review_posted_once_finds_nothing_more_to_do_at_the_same_moment(
    facts: list[tuple[int, int]], window: int | None, day: int
) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    p = policy(window)
    moment = review_moment(p, start + timedelta(days=day))
    history = LevelHistory(
        [LevelChange(start, 1, "Gold")],
        [fact(start + timedelta(days=d), points) for d, points in facts],
    )

    decision = downgrade_at(p, history, moment)
    if decision is not None:
        before, after = decision
        assert rank(p, after.name if after else None) < rank(p, before)
        history.changes.append(LevelChange(moment, 2, after.name if after else None))
        assert downgrade_at(p, history, moment) is None


@given(st.lists(st.integers(-100, 300), max_size=15))
def test_earns_one_by_one_never_lower_the_level_in_force(points: list[int]) -> None:
    """Upgrades only ever go up, whatever returns do to the total between them."""
    p = policy(30)
    history = LevelHistory()
    seen = 0
    for i, value in enumerate(points):
        at = T + timedelta(hours=i)
        history.facts.append(fact(at, value))
        reached = upgrade_at(p, history, at)
        if reached is not None:
            assert rank(p, reached.name) > seen
            history.changes.append(LevelChange(at, i, reached.name))
        seen = rank(p, level_in_force(history.changes, at))
    assert seen == rank(p, level_in_force(history.changes, T + timedelta(days=1)))
