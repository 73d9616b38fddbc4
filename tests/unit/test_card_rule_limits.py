"""What a version's item rules and stamp card may be, searched for counter-examples: the check
never fails otherwise than by refusing, what it accepts keeps every earn exact and inside
bigint, a revision that does not mention them never changes what is in force at any moment,
and the CLI refuses before connecting."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from domain.commands import SetProgramme
from domain.errors import InvalidRequest
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.programme import Programme
from domain.programme_limits import check_programme_terms
from domain.programme_revision import revise
from domain.stamps import StampBasis, StampCard
from service.entrypoints.cli import app

from .builders import BUSINESS, T0

pytestmark = pytest.mark.unit

RATES = SetProgramme(BUSINESS, earn_rate=Decimal(1), redemption_rate=Decimal(100))
BIGINT = 2**63 - 1
BAD_NAMES = st.sampled_from([" x", "x ", "", "a\x00b", "\x7f", "é" * 129])
GOOD_NAMES = st.sampled_from([f"{kind}-{n}" for kind in ("cat", "sku") for n in range(8)])
NAMES = st.one_of(GOOD_NAMES, BAD_NAMES)
ANY_DECIMAL = st.decimals(allow_nan=True, allow_infinity=True)
NEAR_BOUNDS = st.one_of(
    *(st.decimals(min_value=0, max_value=200, places=p, allow_nan=False) for p in range(5)),
    st.sampled_from([Decimal(100), Decimal("0.01"), Decimal("100.001")]),
)
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)


def item_rules(
    names: st.SearchStrategy[str],
    multipliers: st.SearchStrategy[Decimal],
    money: st.SearchStrategy[Decimal],
) -> st.SearchStrategy[ItemRules]:
    pairs = st.lists(st.tuples(names, multipliers), max_size=4).map(tuple)
    return st.builds(
        ItemRules,
        category_multipliers=pairs,
        sku_multipliers=pairs,
        excluded_categories=st.frozensets(names, max_size=3),
        excluded_skus=st.frozensets(names, max_size=3),
        min_spend=st.none() | money,
    )


def stamp_cards(
    names: st.SearchStrategy[str], money: st.SearchStrategy[Decimal]
) -> st.SearchStrategy[StampCard]:
    return st.builds(
        StampCard,
        target=st.integers(-5, 2000),
        basis=st.sampled_from(StampBasis),
        categories=st.frozensets(names, max_size=3),
        skus=st.frozensets(names, max_size=3),
        min_spend=st.none() | money,
        stamps_per_award=st.integers(-5, 2000),
        reward_id=st.none() | names,
    )


@given(item_rules(NAMES, ANY_DECIMAL, ANY_DECIMAL), stamp_cards(NAMES, ANY_DECIMAL), ANY_DECIMAL)
def test_the_check_refuses_or_accepts_any_rules_and_card_and_never_fails_otherwise(
    rules: ItemRules, card: StampCard, multiplier: Decimal
) -> None:
    try:
        check_programme_terms(
            replace(RATES, multiplier=multiplier), item_rules=rules, stamp_card=card
        )
    except InvalidRequest as refused:
        assert refused.detail.endswith(".")


def _money(value: Decimal | None) -> bool:
    if value is None:
        return True
    cents = value.quantize(Decimal("0.01")) if value.is_finite() and abs(value) < 10**20 else None
    return cents == value and Decimal(0) < value <= Decimal("9999999999.99")


def _plain(name: str | None) -> bool:
    return name is None or (0 < len(name) <= 128 and name == name.strip() and name.isprintable())


@given(stamp_cards(st.one_of(GOOD_NAMES, GOOD_NAMES, BAD_NAMES), MONEY | ANY_DECIMAL))
def test_a_card_is_accepted_exactly_when_its_target_awards_spend_and_names_fit(
    card: StampCard,
) -> None:
    fits = (
        1 <= card.stamps_per_award <= card.target <= 1000
        and _money(card.min_spend)
        and all(_plain(name) for name in (*card.categories, *card.skus, card.reward_id))
    )
    try:
        check_programme_terms(RATES, stamp_card=card)
    except InvalidRequest:
        assert not fits
    else:
        assert fits


@given(item_rules(st.one_of(GOOD_NAMES, BAD_NAMES), NEAR_BOUNDS, MONEY))
def test_rules_naming_a_category_or_sku_both_multiplied_and_excluded_are_refused(
    rules: ItemRules,
) -> None:
    categories = {name for name, _ in rules.category_multipliers} & rules.excluded_categories
    skus = {name for name, _ in rules.sku_multipliers} & rules.excluded_skus
    try:
        check_programme_terms(RATES, item_rules=rules)
    except InvalidRequest as refused:
        if categories:
            assert (
                "item_rules categories must not be both multiplied and excluded" in refused.detail
            )
        if skus:
            assert "item_rules skus must not be both multiplied and excluded" in refused.detail
    else:
        assert not categories and not skus


IN_BOUNDS = st.one_of(
    *(st.decimals(min_value=Decimal(1).scaleb(-p), max_value=100, places=p) for p in range(3))
)


@given(
    multipliers=st.lists(IN_BOUNDS, min_size=1, max_size=4),
    window=IN_BOUNDS,
    earn_rate=st.sampled_from([Decimal(1000), Decimal("999.9999"), Decimal("0.0001")]),
    amount=st.sampled_from([Decimal("999999999999.9999"), Decimal("0.0001"), Decimal(1)]),
)
def test_lines_are_accepted_exactly_when_they_earn_within_bigint_at_the_largest_sale(
    multipliers: list[Decimal], window: Decimal, earn_rate: Decimal, amount: Decimal
) -> None:
    rules = ItemRules(
        category_multipliers=tuple((f"cat-{n}", m) for n, m in enumerate(multipliers))
    )
    terms = replace(RATES, earn_rate=earn_rate, multiplier=window)
    try:
        check_programme_terms(terms, item_rules=rules)
    except InvalidRequest:
        assert max(multipliers) * window > 100
        return

    for line_multiplier in multipliers:
        exact = Fraction(amount) * Fraction(earn_rate) * Fraction(window)
        points = math.floor(exact * Fraction(line_multiplier))
        assert 0 <= points <= 10**17 < BIGINT


RULES = item_rules(GOOD_NAMES, st.sampled_from([Decimal(2), Decimal("0.5")]), MONEY).filter(
    lambda rules: _accepted(rules)
)
CARDS = st.none() | st.builds(StampCard, target=st.integers(1, 20), reward_id=st.just("r"))
REVISION = st.tuples(
    st.integers(0, 10),  # effective day
    st.sampled_from(["keep", "set", "remove"]),
    RULES,
    CARDS,
)


def _accepted(rules: ItemRules) -> bool:
    try:
        check_programme_terms(RATES, item_rules=rules)
    except InvalidRequest:
        return False
    return True


def _in_force(programme: Programme, day: int) -> tuple[ItemRules, StampCard | None]:
    rule = programme.rule_at(T0 + timedelta(days=day))
    return (NO_ITEM_RULES, None) if rule is None else (rule.item_rules, rule.stamp_card)


@given(st.lists(REVISION, min_size=1, max_size=6), st.integers(0, 10))
def test_a_revision_that_does_not_mention_them_changes_no_moments_rules_or_card(
    history: list[tuple[int, str, ItemRules, StampCard | None]], day: int
) -> None:
    programme: Programme | None = None
    for when, how, rules, card in history:
        command = replace(RATES, effective_from=T0 + timedelta(days=when))
        if how == "set":
            command = replace(command, item_rules=rules, stamp_card=card)
        elif how == "remove":
            command = replace(command, item_rules=NO_ITEM_RULES, stamp_card=None)
        programme = revise(programme, command, T0, None).programme
    assert programme is not None
    probes = range(-1, 12)
    before = {probe: _in_force(programme, probe) for probe in probes}

    revised = revise(programme, replace(RATES, effective_from=T0 + timedelta(days=day)), T0, None)

    in_force_from_its_day = revised.programme.rule_at(T0 + timedelta(days=day))
    assert in_force_from_its_day == revised.rule
    assert {probe: _in_force(revised.programme, probe) for probe in probes} == before


NOWHERE = {"LOYALTY_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (
            ["--category-multiplier", "bakery=2", "--exclude-category", "bakery"],
            "item_rules categories must not be both multiplied and excluded",
        ),
        (
            ["--sku-multiplier", "x=2", "--sku-multiplier", "x=3"],
            "item_rules.sku_multipliers must name each once",
        ),
        (["--category-multiplier", "bakery=0"], "must be a number greater than 0"),
        (["--category-multiplier", "bakery"], "use NAME=MULTIPLIER"),
        (["--min-spend", "0.001"], "item_rules.min_spend must be"),
        (["--stamp-target", "0"], "stamp_card.target must be a whole number from 1 to 1000"),
        (
            ["--stamp-target", "3", "--stamps-per-award", "4"],
            "stamp_card.stamps_per_award must be a whole number from 1 to 3",
        ),
        (["--stamp-category", "coffee"], "stamp card options need --stamp-target"),
        (["--no-stamp-card", "--stamp-target", "5"], "--no-stamp-card cannot go with"),
        (["--no-item-rules", "--exclude-sku", "x"], "--no-item-rules cannot go with"),
    ],
)
def test_the_cli_refuses_rules_or_a_card_out_of_bounds_before_touching_the_database(
    options: list[str], reason: str
) -> None:
    result = CliRunner().invoke(
        app,
        ["program", "set", "shop", "--earn-rate", "1", "--redemption-rate", "100", *options],
        env=NOWHERE,
    )

    assert result.exit_code == 2
    assert reason in " ".join(result.output.split())
