"""Returns of named items: they reverse what those items earned, a return by amount keeps the
proportional rule, and whatever the mix the cumulative reversal is a floor of one exact figure,
never more than earned, exactly what was earned once everything came back, and the same in
total however a return is split."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.events import LineItem, ReturnedItem
from domain.item_rules import ItemRules
from domain.line_earning import earn_sale
from domain.line_returns import covered
from domain.outcomes import OutcomeStatus
from domain.programme import RuleVersion
from domain.purchases import Purchase

from .builders import BUSINESS, T0, account, apply, customer_return, programme, rule, sale, state
from .test_line_earning import baskets, line, rules, total_of

pytestmark = pytest.mark.unit

BAKERY_RULES = replace(
    rule(),
    item_rules=ItemRules(
        category_multipliers=(("bakery", Decimal(2)),), excluded_categories=frozenset({"tobacco"})
    ),
)
BASKET = (
    line("bread", "2.45", "bakery"),  # earns 4.90
    line("croissant", "1.35", "bakery", quantity="3"),  # 2.70
    line("cigarettes", "8.00", "tobacco"),  # 0
    line("milk", "0.99", "drinks"),  # 0.99: the sale earns floor(8.59) = 8
)


def bought(items: tuple[LineItem, ...], version: RuleVersion) -> Purchase:
    total = total_of(items)
    earning = earn_sale(total, items, version, T0)
    return Purchase(
        business_id=BUSINESS,
        source=sale("s", "0").source,
        reference="s1",
        event_id="e1",
        occurred_at=T0,
        total=total,
        currency="EUR",
        points_earned=earning.points,
        lines=earning.lines,
    )


def by_sku(items: tuple[LineItem, ...]) -> dict[str, tuple[Decimal, Decimal]]:
    """Each SKU's whole quantity and amount."""
    found: dict[str, tuple[Decimal, Decimal]] = {}
    for item in items:
        quantity, amount = found.get(item.sku, (Decimal(0), Decimal(0)))
        found[item.sku] = (quantity + item.quantity, amount + item.amount)
    return found


returned_items = st.builds(
    ReturnedItem,
    sku=st.sampled_from(["bread", "croissant", "coffee", "cigarettes", "milk", "unknown"]),
    quantity=st.none() | st.decimals(min_value=Decimal("0.001"), max_value=60, places=3),
    amount=st.none() | st.decimals(min_value=0, max_value=600, places=2),
)
returns = st.tuples(
    st.decimals(min_value=0, max_value=600, places=2), st.lists(returned_items, max_size=4)
)


@given(baskets, rules, st.lists(returns, max_size=8))
def test_returns_never_reverse_more_than_earned_and_each_total_is_the_floor_of_one_exact_figure(
    items: tuple[LineItem, ...],
    version: RuleVersion,
    history: list[tuple[Decimal, list[ReturnedItem]]],
) -> None:
    purchase = bought(items, version)
    reversed_so_far = 0
    for amount, named in history:
        purchase, to_reverse = purchase.after_refund(amount, tuple(named))
        reversed_so_far += to_reverse

        assert to_reverse >= 0
        assert reversed_so_far == purchase.points_reversed <= purchase.points_earned
        exact = purchase.points_earned * covered(
            purchase.lines, purchase.returned, purchase.total, purchase.refunded_amount
        )
        assert purchase.points_reversed == floor(exact)


@st.composite
def whole_returns_in_parts(
    draw: st.DrawFn, items: tuple[LineItem, ...]
) -> list[tuple[Decimal, tuple[ReturnedItem, ...]]]:
    """Every SKU given back, each in one to three parts by quantity or by amount, shuffled,
    each return carrying no money (so only the named items can cover the sale)."""
    parts: list[ReturnedItem] = []
    for sku, (quantity, amount) in by_sku(items).items():
        by_amount = draw(st.booleans()) and amount > 0
        whole = amount if by_amount else quantity
        share = whole * draw(st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal(1)]))
        for piece in (share, whole - share):
            if piece > 0:
                parts.append(
                    ReturnedItem(sku, None, piece) if by_amount else ReturnedItem(sku, piece)
                )
    ordered = draw(st.permutations(parts))
    size = draw(st.integers(1, 3))
    return [(Decimal(0), tuple(ordered[i : i + size])) for i in range(0, len(ordered), size)]


@given(st.data(), baskets, rules)
def test_returning_every_item_in_any_parts_and_order_reverses_exactly_what_was_earned(
    data: st.DataObject, items: tuple[LineItem, ...], version: RuleVersion
) -> None:
    purchase = bought(items, version)

    for amount, named in data.draw(whole_returns_in_parts(items)):
        purchase, _ = purchase.after_refund(amount, named)

    assert purchase.points_reversed == purchase.points_earned


@given(st.data(), baskets, rules)
def test_items_named_then_the_rest_of_the_money_by_amount_reverses_exactly_what_was_earned(
    data: st.DataObject, items: tuple[LineItem, ...], version: RuleVersion
) -> None:
    purchase = bought(items, version)
    skus = by_sku(items)
    named = data.draw(st.lists(st.sampled_from(sorted(skus)), unique=True))
    money = sum((skus[sku][1] for sku in named), Decimal(0))

    for sku in named:
        purchase, _ = purchase.after_refund(skus[sku][1], (ReturnedItem(sku, skus[sku][0]),))
    purchase, _ = purchase.after_refund(purchase.total - money)

    assert purchase.points_reversed == purchase.points_earned


@given(st.data(), baskets, rules, st.decimals(min_value=0, max_value=600, places=2))
def test_a_return_split_into_parts_reverses_in_total_what_it_reverses_whole(
    data: st.DataObject, items: tuple[LineItem, ...], version: RuleVersion, money: Decimal
) -> None:
    skus = by_sku(items)
    chosen = data.draw(st.lists(st.sampled_from(sorted(skus)), min_size=1, unique=True))
    halves = [
        (ReturnedItem(sku, skus[sku][0] / 2), ReturnedItem(sku, skus[sku][0] / 2)) for sku in chosen
    ]
    whole = tuple(ReturnedItem(sku, skus[sku][0]) for sku in chosen)
    first, second = tuple(h[0] for h in halves), tuple(h[1] for h in halves)
    split = data.draw(st.decimals(min_value=0, max_value=money, places=2))

    at_once, _ = bought(items, version).after_refund(money, whole)
    in_parts, _ = bought(items, version).after_refund(split, first)
    in_parts, _ = in_parts.after_refund(money - split, second)

    assert in_parts.points_reversed == at_once.points_reversed


def test_a_return_of_named_items_reverses_what_they_earned_not_their_share_of_the_money() -> None:
    purchase = bought(BASKET, BAKERY_RULES)
    assert purchase.points_earned == 8

    tobacco, nothing = purchase.after_refund(
        Decimal("8.00"), (ReturnedItem("cigarettes", Decimal(1)),)
    )
    _, four = tobacco.after_refund(Decimal("2.45"), (ReturnedItem("bread", Decimal(1)),))

    assert nothing == 0  # by amount it would have reversed floor(8 * 8.00 / 12.79) = 5
    assert four == floor(Fraction(8) * Fraction("4.90") / Fraction("8.59"))


def test_more_of_an_item_than_was_bought_reverses_only_what_it_earned() -> None:
    purchase = bought(BASKET, BAKERY_RULES)

    after, reversed_now = purchase.after_refund(
        Decimal(0), (ReturnedItem("croissant", Decimal(30)),)
    )

    assert reversed_now == floor(Fraction(8) * Fraction("2.70") / Fraction("8.59"))
    assert after.points_reversed < after.points_earned


def test_a_return_naming_no_item_of_the_sale_is_taken_by_its_amount() -> None:
    purchase = bought(BASKET, BAKERY_RULES)

    _, by_unknown = purchase.after_refund(Decimal("6.395"), (ReturnedItem("ham", Decimal(1)),))
    _, by_amount = purchase.after_refund(Decimal("6.395"))

    assert by_unknown == by_amount == 4  # half the money: half the points


def test_a_return_naming_items_of_a_sale_sent_without_items_is_taken_by_its_amount() -> None:
    changes = apply(
        state(programme(), account()),
        sale("s1", "100"),
        replace(customer_return("r1", "s1", "25"), items=(ReturnedItem("bread", Decimal(1)),)),
    )

    assert [e.points for e in changes.entries] == [100, -25]


def test_a_return_of_named_items_parked_before_its_sale_reverses_as_it_would_after() -> None:
    items = BASKET
    the_sale = replace(sale("s1", "12.79"), items=items)
    the_return = replace(
        customer_return("r1", "s1", "3.40"),
        items=(ReturnedItem("bread", Decimal(1)), ReturnedItem("milk", None, Decimal("0.99"))),
    )

    early = apply(state(programme(BAKERY_RULES), account()), the_return)
    parked = early.refunds[the_return.refund_key]
    late_state = state(programme(BAKERY_RULES), account())
    late_state.refunds[parked.key] = parked
    late_state.seen_events[(BUSINESS, the_return.event_id)] = the_return.payload_hash
    after = apply(late_state, the_sale)
    in_order = apply(state(programme(BAKERY_RULES), account()), the_sale, the_return)

    assert early.inbox[0].outcome.status is OutcomeStatus.PARKED
    expected = floor(Fraction(8) * Fraction("5.89") / Fraction("8.59"))
    assert (
        [e.points for e in after.entries]
        == [e.points for e in in_order.entries]
        == [
            8,
            -expected,
        ]
    )
