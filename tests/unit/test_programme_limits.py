"""What a programme may be set to: one check in the domain, used by the use case, the HTTP
body and the CLI, which keeps every event computable."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from domain.arithmetic import points_earned
from domain.commands import SetProgramme
from domain.errors import InvalidRequest
from domain.programme import RuleVersion
from domain.programme_limits import check_programme_terms
from service.entrypoints.cli import app
from service.use_cases.programmes import Programmes
from tests.fakes import FakeClock, FakeUnitOfWorkFactory

from .builders import BUSINESS, T0

pytestmark = pytest.mark.unit

RATES = SetProgramme(BUSINESS, earn_rate=Decimal(1), redemption_rate=Decimal(100))
BIGINT = 2**63 - 1
OUT_OF_BOUNDS = ["1e400", "NaN", "0", "-1", "0.00001", "1.23456789", "123456789012"]


def with_rate(field: str, value: Decimal) -> SetProgramme:
    # the field is named at run time (parametrised), so its keyword cannot be checked statically
    changes: dict[str, Any] = {field: value}
    return replace(RATES, **changes)


@pytest.mark.parametrize("value", OUT_OF_BOUNDS)
@pytest.mark.parametrize("field", ["earn_rate", "redemption_rate", "multiplier", "max_discount"])
async def test_the_use_case_refuses_a_rate_no_event_could_be_computed_with(
    field: str, value: str
) -> None:
    uows = FakeUnitOfWorkFactory()

    with pytest.raises(InvalidRequest, match=f"{field} must be a number greater than 0"):
        await Programmes(uows, FakeClock(T0)).set(with_rate(field, Decimal(value)))

    assert uows.store.programmes == {}


def test_every_value_out_of_bounds_is_named_in_one_refusal() -> None:
    terms = replace(
        RATES,
        earn_rate=Decimal("1e400"),
        hold_minutes=0,
        pending_days=-1,
        multiplier_from=datetime(2026, 2, 1, tzinfo=UTC),
        multiplier_until=datetime(2026, 1, 1, tzinfo=UTC),
    )

    with pytest.raises(InvalidRequest) as refused:
        check_programme_terms(terms)

    assert [part.split(" must ")[0] for part in refused.value.detail.split("; ")] == [
        "earn_rate",
        "hold_minutes",
        "pending_days",
        "multiplier_until",
    ]


def test_trailing_zeros_are_not_decimal_places() -> None:
    check_programme_terms(
        replace(RATES, earn_rate=Decimal("2.5000000"), multiplier=Decimal("1E+2"))
    )


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_the_check_refuses_or_accepts_any_decimal_and_never_fails_otherwise(value: Decimal) -> None:
    for field in ("earn_rate", "redemption_rate", "multiplier", "max_discount"):
        try:
            check_programme_terms(with_rate(field, value))
        except InvalidRequest as refused:
            assert field in refused.detail


def decimals_around(most: int, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals near and past the bounds, with up to two more places than allowed."""
    return st.one_of(
        *(
            st.decimals(min_value=0, max_value=most * 2, places=p, allow_nan=False)
            for p in range(places + 3)
        ),
        st.sampled_from([Decimal(most), Decimal(most).scaleb(-places) / most]),
    )


# What the inbound contract may carry, for now: up to 12 integer digits and 2 to 4 decimals.
AMOUNTS = st.one_of(
    *(
        st.decimals(min_value=0, max_value=Decimal(10**12) - Decimal(1).scaleb(-p), places=p)
        for p in (2, 3, 4)
    ),
    st.just(Decimal("999999999999.9999")),
)


@given(
    earn_rate=decimals_around(1000, 4),
    multiplier=decimals_around(100, 2),
    amount=AMOUNTS,
)
def test_any_rule_the_check_accepts_earns_exactly_and_within_bigint_for_any_amount(
    earn_rate: Decimal, multiplier: Decimal, amount: Decimal
) -> None:
    try:
        check_programme_terms(replace(RATES, earn_rate=earn_rate, multiplier=multiplier))
    except InvalidRequest:
        assume(False)
    rule = RuleVersion(1, T0, earn_rate, Decimal(100), multiplier=multiplier)

    points = points_earned(amount, rule, T0)

    assert points == math.floor(Fraction(amount) * Fraction(earn_rate) * Fraction(multiplier))
    assert 0 <= points <= 10**17 < BIGINT


@pytest.mark.parametrize("value", [*OUT_OF_BOUNDS, "Infinity"])
def test_the_cli_refuses_a_rate_out_of_bounds_before_touching_the_database(value: str) -> None:
    result = CliRunner().invoke(
        app,
        ["program", "set", "shop", "--earn-rate", value, "--redemption-rate", "100"],
        # Nothing listens here: the refusal must come before any connection.
        env={"LOYALTY_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
    )

    assert result.exit_code == 2
    assert "earn_rate must be a number greater than 0 and at most 1000" in result.output


def test_the_cli_refuses_a_backwards_multiplier_window() -> None:
    result = CliRunner().invoke(
        app,
        [
            "program",
            "set",
            "shop",
            "--earn-rate",
            "1",
            "--redemption-rate",
            "100",
            "--from",
            "2026-02-01T00:00:00+00:00",
            "--until",
            "2026-01-01T00:00:00+00:00",
        ],
        env={"LOYALTY_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
    )

    assert result.exit_code == 2
    assert "multiplier_until must be after multiplier_from" in result.output
