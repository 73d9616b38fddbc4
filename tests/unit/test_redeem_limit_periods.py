"""Redeem limit periods: calendar days, ISO weeks and months in UTC, and what a limit leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidRequest
from domain.redeem_limits import LimitPeriod, RedeemLimit, limit_use, period_bounds

pytestmark = pytest.mark.unit

DAY, WEEK, MONTH = LimitPeriod.DAY, LimitPeriod.WEEK, LimitPeriod.MONTH
TICK = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, *clock: int) -> datetime:
    hour, minute, second, micro = (*clock, 0, 0, 0, 0)[:4]
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def test_the_last_microsecond_of_a_day_is_that_day_and_midnight_the_next() -> None:
    last = utc(2026, 3, 4, 23, 59, 59, 999999)

    assert period_bounds(DAY, last) == (utc(2026, 3, 4), utc(2026, 3, 5))
    assert period_bounds(DAY, last + TICK) == (utc(2026, 3, 5), utc(2026, 3, 6))


def test_a_week_runs_from_monday_midnight_so_sunday_night_closes_it() -> None:
    sunday_night = utc(2026, 3, 8, 23, 59, 59, 999999)  # 2026-03-09 is a Monday

    assert period_bounds(WEEK, sunday_night) == (utc(2026, 3, 2), utc(2026, 3, 9))
    assert period_bounds(WEEK, sunday_night + TICK) == (utc(2026, 3, 9), utc(2026, 3, 16))


def test_a_week_across_the_new_year_is_one_iso_week() -> None:
    # 2026-12-28 is a Monday; its week ends in January 2027.
    assert period_bounds(WEEK, utc(2027, 1, 1, 12)) == (utc(2026, 12, 28), utc(2027, 1, 4))


@pytest.mark.parametrize(
    ("moment", "start", "end"),
    [
        (utc(2026, 1, 31, 23, 59, 59, 999999), utc(2026, 1, 1), utc(2026, 2, 1)),
        (utc(2026, 2, 28, 23), utc(2026, 2, 1), utc(2026, 3, 1)),
        (utc(2028, 2, 29, 12), utc(2028, 2, 1), utc(2028, 3, 1)),  # a leap day
        (utc(2026, 4, 30, 23, 59), utc(2026, 4, 1), utc(2026, 5, 1)),
        (utc(2026, 12, 31, 23, 59, 59, 999999), utc(2026, 12, 1), utc(2027, 1, 1)),
        (utc(2027, 1, 1), utc(2027, 1, 1), utc(2027, 2, 1)),
    ],
)
def test_a_month_ends_at_the_first_of_the_next(
    moment: datetime, start: datetime, end: datetime
) -> None:
    assert period_bounds(MONTH, moment) == (start, end)


def test_the_leap_day_is_a_day_of_its_own() -> None:
    assert period_bounds(DAY, utc(2028, 2, 29, 8)) == (utc(2028, 2, 29), utc(2028, 3, 1))


def test_periods_are_in_utc_whatever_zone_the_moment_is_given_in() -> None:
    # 00:30 on Monday in Paris (UTC+1) is still Sunday 23:30 in UTC.
    paris = datetime(2026, 3, 9, 0, 30, tzinfo=timezone(timedelta(hours=1)))

    assert period_bounds(DAY, paris) == (utc(2026, 3, 8), utc(2026, 3, 9))
    assert period_bounds(WEEK, paris) == (utc(2026, 3, 2), utc(2026, 3, 9))


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(st.sampled_from(list(LimitPeriod)), moments)
def test_a_moment_lies_in_its_period_and_periods_tile_time(
    period: LimitPeriod, moment: datetime
) -> None:
    start, end = period_bounds(period, moment)

    assert start <= moment < end
    assert (start.hour, start.minute, start.second, start.microsecond) == (0, 0, 0, 0)
    assert period_bounds(period, start) == (start, end)
    assert period_bounds(period, end - TICK) == (start, end)
    assert period_bounds(period, end)[0] == end  # the next period starts where this ends
    if period is WEEK:
        assert start.weekday() == 0 and end - start == timedelta(days=7)
    if period is MONTH:
        assert start.day == 1 and end.day == 1 and 28 <= (end - start).days <= 31


@given(st.integers(1, 10**9), st.integers(0, 2 * 10**9), st.integers(0, 2 * 10**9))
def test_what_is_left_never_goes_below_zero_and_allows_exactly_up_to_it(
    points: int, used: int, asked: int
) -> None:
    use = limit_use(RedeemLimit(points, DAY), used, utc(2026, 3, 4))

    assert use.left == max(0, points - used)
    assert use.allows(asked) == (used + asked <= points or asked == 0)


@pytest.mark.parametrize("points", [0, -5, 10**9 + 1])
def test_a_limit_of_no_points_or_too_many_cannot_be_made(points: int) -> None:
    with pytest.raises(InvalidRequest, match="redeem_limit"):
        RedeemLimit(points, WEEK)
