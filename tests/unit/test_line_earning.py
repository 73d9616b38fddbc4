"""Earning per line item: exact per line, floored once per sale, under the rule version in
force at the sale's time; exclusions, SKU over category, minimum spend, categories touched."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.arithmetic import points_earned
from domain.events import LineItem
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.ledger import EntryKind
from domain.line_earning import earn_sale, exact_decimal, line_multiplier
from domain.outcomes import Outcome, SkipReason
from domain.programme import RuleVersion

from .builders import T0, account, apply, at, programme, rule, sale, state

pytestmark = pytest.mark.unit

SKUS = ["bread", "croissant", "coffee", "cigarettes", "milk"]
CATEGORIES = [None, "bakery", "drinks", "tobacco"]
multipliers = st.sampled_from([Decimal("0.5"), Decimal(1), Decimal("1.5"), Decimal(2), Decimal(3)])
amounts = st.decimals(min_value=0, max_value=500, places=2)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=50, places=3)


def line(sku: str, amount: str, category: str | None = None, quantity: str = "1") -> LineItem:
    return LineItem(sku, category, Decimal(quantity), Decimal(amount), Decimal(0), Decimal(amount))


lines = st.builds(
    LineItem,
    sku=st.sampled_from(SKUS),
    category=st.sampled_from(CATEGORIES),
    quantity=quantities,
    unit_price=amounts,
    discount=st.just(Decimal(0)),
    amount=amounts,
)
baskets = st.lists(lines, min_size=1, max_size=8).map(tuple)
item_rules = st.builds(
    ItemRules,
    category_multipliers=st.dictionaries(
        st.sampled_from(CATEGORIES[1:]), multipliers, max_size=2
    ).map(lambda d: tuple(sorted(d.items()))),
    sku_multipliers=st.dictionaries(st.sampled_from(SKUS), multipliers, max_size=2).map(
        lambda d: tuple(sorted(d.items()))
    ),
    excluded_categories=st.frozensets(st.sampled_from(CATEGORIES[1:]), max_size=1),
    excluded_skus=st.frozensets(st.sampled_from(SKUS), max_size=1),
)
rules = st.builds(
    lambda rate, window, items: replace(
        rule(earn_rate=rate, multiplier=window, multiplier_from=T0), item_rules=items
    ),
    st.sampled_from(["1", "0.5", "2.5", "10", "0.07"]),
    st.sampled_from(["1", "2", "1.25"]),
    item_rules,
)


def total_of(items: tuple[LineItem, ...]) -> Decimal:
    return sum((i.amount for i in items), Decimal(0))


def reference_points(items: tuple[LineItem, ...], version: RuleVersion) -> int:
    """The rule written out independently: each line exactly, one floor at the end."""
    r = version.item_rules
    exact = Fraction(0)
    for item in items:
        if item.sku in r.excluded_skus or item.category in r.excluded_categories:
            continue
        skus, categories = dict(r.sku_multipliers), dict(r.category_multipliers)
        multiplier = skus.get(item.sku, categories.get(item.category or "", Decimal(1)))
        exact += (
            Fraction(item.amount)
            * Fraction(version.earn_rate)
            * Fraction(version.multiplier_at(T0))
            * Fraction(multiplier)
        )
    return floor(exact)


@given(baskets, rules)
def test_a_sale_earns_the_floor_of_its_lines_exact_sum_taken_once(
    items: tuple[LineItem, ...], version: RuleVersion
) -> None:
    earning = earn_sale(total_of(items), items, version, T0)

    exact = sum((Fraction(line.earned) for line in earning.lines), Fraction(0))
    assert earning.points == floor(exact) == reference_points(items, version)
    assert earning.points >= sum(floor(Fraction(line.earned)) for line in earning.lines)


@given(baskets, rules, st.sampled_from(SKUS), amounts)
def test_an_excluded_line_earns_nothing_and_adding_one_changes_nothing(
    items: tuple[LineItem, ...], version: RuleVersion, sku: str, amount: Decimal
) -> None:
    version = replace(
        version, item_rules=replace(version.item_rules, excluded_skus=frozenset({sku}))
    )
    excluded = LineItem(sku, "bakery", Decimal(1), amount, Decimal(0), amount)
    basket = (*items, excluded)

    with_it = earn_sale(total_of(basket), basket, version, T0)
    kept = tuple(i for i in items if i.sku != sku)

    assert with_it.lines[-1].earned == 0
    assert with_it.points == earn_sale(total_of(kept), kept, version, T0).points


def test_a_skus_multiplier_wins_over_its_categorys_and_an_exclusion_wins_over_both() -> None:
    rules = ItemRules(
        category_multipliers=(("bakery", Decimal(2)),),
        sku_multipliers=(("croissant", Decimal(3)), ("cigarettes", Decimal(5))),
        excluded_categories=frozenset({"tobacco"}),
    )

    assert line_multiplier(rules, line("croissant", "1", "bakery")) == 3
    assert line_multiplier(rules, line("bread", "1", "bakery")) == 2
    assert line_multiplier(rules, line("milk", "1", "drinks")) == 1
    assert line_multiplier(rules, line("cigarettes", "1", "tobacco")) == 0


@given(baskets, st.sampled_from(["1", "0.5", "2.5", "0.07"]), st.sampled_from(["1", "2", "1.25"]))
def test_a_sale_with_items_and_no_item_rules_earns_exactly_as_its_total(
    items: tuple[LineItem, ...], rate: str, window: str
) -> None:
    version = rule(earn_rate=rate, multiplier=window, multiplier_from=T0)
    assert version.item_rules == NO_ITEM_RULES
    total = total_of(items)
    customer = account()

    with_items = apply(state(programme(version), customer), replace(sale("s1", total), items=items))
    plain = apply(state(programme(version), customer), sale("s1", total))

    assert [e.points for e in with_items.entries] == [e.points for e in plain.entries]
    assert earn_sale(total, items, version, T0).points == points_earned(total, version, T0)


def test_a_mixed_basket_earns_double_on_bakery_and_nothing_on_tobacco_floored_once() -> None:
    version = replace(
        rule(earn_rate="1"),
        item_rules=ItemRules(
            category_multipliers=(("bakery", Decimal(2)),),
            excluded_categories=frozenset({"tobacco"}),
        ),
    )
    items = (
        line("bread", "2.45", "bakery"),  # 4.90
        line("croissant", "1.35", "bakery", quantity="3"),  # 2.70
        line("cigarettes", "8.00", "tobacco"),  # 0
        line("milk", "0.99", "drinks"),  # 0.99
    )
    event = replace(sale("s1", "12.79"), items=items)

    changes = apply(state(programme(version), account()), event)

    [entry] = changes.entries
    assert entry.kind is EntryKind.EARN
    assert entry.points == 8  # floor(8.59); floors per line would give 4 + 2 + 0 + 0 = 6
    assert entry.category_ids == ("bakery", "drinks", "tobacco")
    [purchase] = changes.purchases.values()
    assert [line.earned for line in purchase.lines] == [
        Decimal("4.90"),
        Decimal("2.70"),
        Decimal("0"),
        Decimal("0.99"),
    ]


def test_a_window_multiplier_applies_to_every_line_inside_its_window_only() -> None:
    version = replace(
        rule(multiplier="2", multiplier_from=at(days=1), multiplier_until=at(days=2)),
        item_rules=ItemRules(sku_multipliers=(("bread", Decimal(3)),)),
    )
    items = (line("bread", "1.50"), line("milk", "1.00"))

    assert earn_sale(Decimal("2.50"), items, version, at(days=1)).points == 11  # 9 + 2
    assert earn_sale(Decimal("2.50"), items, version, at(days=3)).points == 5  # 4.5 + 1


def test_a_sale_below_the_minimum_spend_is_skipped_with_its_reason() -> None:
    version = replace(
        rule(),
        item_rules=ItemRules(excluded_categories=frozenset({"tobacco"}), min_spend=Decimal(10)),
    )
    short = (line("cigarettes", "50", "tobacco"), line("milk", "9.99", "drinks"))
    enough = (line("cigarettes", "50", "tobacco"), line("milk", "10", "drinks"))

    skipped = apply(state(programme(version), account()), replace(sale("s1", "59.99"), items=short))
    earned = apply(state(programme(version), account()), replace(sale("s2", "60"), items=enough))

    assert skipped.entries == []
    assert skipped.inbox[0].outcome == Outcome.skipped(SkipReason.BELOW_MIN_SPEND)
    assert [e.points for e in earned.entries] == [10]


def test_the_minimum_spend_of_a_sale_without_items_is_its_total() -> None:
    version = replace(rule(), item_rules=ItemRules(min_spend=Decimal(5)))

    below = apply(state(programme(version), account()), sale("s1", "4.99"))
    at_it = apply(state(programme(version), account()), sale("s2", "5"))

    assert below.inbox[0].outcome == Outcome.skipped(SkipReason.BELOW_MIN_SPEND)
    assert [e.points for e in at_it.entries] == [5]


def test_the_rule_version_in_force_at_the_sale_decides_its_item_rules() -> None:
    first = replace(rule(1), item_rules=ItemRules(sku_multipliers=(("bread", Decimal(2)),)))
    second = replace(
        rule(2, effective_from=at(days=5)), item_rules=ItemRules(excluded_skus=frozenset({"bread"}))
    )
    prog = programme(first, second)
    items = (line("bread", "10"),)

    early = apply(state(prog, account()), replace(sale("s1", "10", occurred_at=at(1)), items=items))
    late = apply(state(prog, account()), replace(sale("s2", "10", occurred_at=at(6)), items=items))

    assert [e.points for e in early.entries] == [20]
    assert late.entries == []


@given(st.fractions(min_value=-(10**6), max_value=10**6), st.integers(0, 12), st.integers(0, 12))
def test_an_exact_decimal_equals_the_fraction_it_came_from(
    fraction: Fraction, twos: int, fives: int
) -> None:
    terminating = Fraction(fraction.numerator, 2**twos * 5**fives)

    assert Fraction(exact_decimal(terminating)) == terminating


def test_a_purchase_earned_under_no_rule_keeps_no_lines() -> None:
    event = replace(sale("s1", "10"), items=(line("bread", "10"),), customer_id=None)

    changes = apply(state(programme(), account()), event)

    [purchase] = changes.purchases.values()
    assert purchase.lines == () and purchase.points_earned == 0
