"""The side-by-side report of a what-if simulation, and its chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.postgres.shadow import PostgresShadowLedgers
from adapters.simulation_chart import chart_svg
from domain.simulation_report import DayTotals, LedgerTotals, compare

pytestmark = pytest.mark.unit

counts = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(-500, 500))
totals = st.builds(
    LedgerTotals,
    issued=st.integers(0, 10_000),
    outstanding=st.integers(-100, 10_000),
    by_store=counts,
    by_category=counts,
    balances=counts,
    by_day=st.dictionaries(
        st.sampled_from(["2026-06-01", "2026-06-02"]),
        st.builds(DayTotals, st.integers(0, 99), st.integers(0, 999)),
    ),
)


@given(totals)
def test_a_ledger_compared_with_itself_differs_on_no_line(ledger: LedgerTotals) -> None:
    report = compare(ledger, ledger)
    assert report.unchanged
    assert report.as_dict()["unchanged"] is True


@given(totals, totals)
def test_every_key_either_ledger_has_gets_a_line_and_movers_come_largest_first(
    current: LedgerTotals, proposed: LedgerTotals
) -> None:
    report = compare(current, proposed, top=3)
    for section in ("by_store", "by_category"):
        keys = {line.key for line in report.lines if line.section == section}
        assert keys == set(getattr(current, section)) | set(getattr(proposed, section))
    moves = [abs(m.difference) for m in report.movers]
    assert moves == sorted(moves, reverse=True) and len(moves) <= 3 and all(moves)


def test_the_chart_is_svg_with_both_series_of_both_panels() -> None:
    days = {"2026-06-01": DayTotals(10, 100), "2026-06-02": DayTotals(5, 90)}
    more = {"2026-06-01": DayTotals(20, 110), "2026-06-02": DayTotals(10, 105)}
    report = compare(LedgerTotals(by_day=days, value=Decimal(1)), LedgerTotals(by_day=more), top=1)
    svg = ET.fromstring(chart_svg(report, "bakery <x2>"))
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 4
    assert "bakery <x2>" in "".join(svg.itertext())


@pytest.mark.parametrize("name", ['x"; DROP DATABASE loyalty; --', "Loyalty", "", "loyalty"])
async def test_a_shadow_never_takes_a_name_that_is_not_plain_or_is_the_live_database(
    name: str,
) -> None:
    shadows = PostgresShadowLedgers("postgresql://u@127.0.0.1:1/loyalty")
    with pytest.raises(ValueError):
        await shadows.create(name)
    with pytest.raises(ValueError):
        await shadows.drop(name)
