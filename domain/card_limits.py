"""What a rule version's item rules and stamp card may be: part of the programme's one check
(``programme_limits.check_programme_terms``), so every way in refuses the same things in the
same words.

A line earns at most amount * earn rate * window multiplier * its own multiplier; bounding
the product of the two multipliers by the window multiplier's own bound (100) keeps the
programme's promise that an earn fits PostgreSQL's bigint, whatever mix of lines a sale has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from domain.bounds import DecimalLimit, IntLimit
from domain.item_rules import ItemRules
from domain.stamps import StampCard

ITEM_MULTIPLIER = DecimalLimit(Decimal(100), 2)
MOST_COMBINED_MULTIPLIER = Decimal(100)
MIN_SPEND = DecimalLimit(Decimal("9999999999.99"), 2)
STAMP_TARGET = IntLimit(1, 1000)
NAME_LENGTH = 128
MOST_NAMES = 500
"""Categories or SKUs one list may name: a rule version is read for every event."""


def item_rules_problems(rules: ItemRules, window_multiplier: Decimal) -> list[str]:
    """Every way ``rules`` could not be earned with beside ``window_multiplier``."""
    problems: list[str] = []
    for field, pairs in (
        ("category_multipliers", rules.category_multipliers),
        ("sku_multipliers", rules.sku_multipliers),
    ):
        name = f"item_rules.{field}"
        problems += _names_problems(name, [key for key, _ in pairs])
        for key, multiplier in pairs:
            problem = ITEM_MULTIPLIER.problem(f"{name}[{key!r}]", multiplier)
            if problem is None and _within_bounds(window_multiplier):
                problem = _combined_problem(f"{name}[{key!r}]", multiplier, window_multiplier)
            problems += [problem] if problem else []
    problems += _names_problems("item_rules.excluded_categories", rules.excluded_categories)
    problems += _names_problems("item_rules.excluded_skus", rules.excluded_skus)
    for kind, pairs, excluded in (
        ("categories", rules.category_multipliers, rules.excluded_categories),
        ("skus", rules.sku_multipliers, rules.excluded_skus),
    ):
        both = sorted({key for key, _ in pairs} & excluded)
        if both:
            problems.append(
                f"item_rules {kind} must not be both multiplied and excluded (got {_listed(both)})"
            )
    min_spend = MIN_SPEND.problem("item_rules.min_spend", rules.min_spend)
    return problems + ([min_spend] if min_spend else [])


def stamp_card_problems(card: StampCard) -> list[str]:
    """Every way ``card`` could not be run."""
    target_problem = STAMP_TARGET.problem("stamp_card.target", card.target)
    per_award = IntLimit(1, card.target if target_problem is None else STAMP_TARGET.most)
    problems = [
        target_problem,
        per_award.problem("stamp_card.stamps_per_award", card.stamps_per_award),
        MIN_SPEND.problem("stamp_card.min_spend", card.min_spend),
    ]
    found = [problem for problem in problems if problem is not None]
    found += _names_problems("stamp_card.categories", card.categories)
    found += _names_problems("stamp_card.skus", card.skus)
    if card.reward_id is not None:
        found += _names_problems("stamp_card.reward_id", [card.reward_id], "a name")
    return found


def _within_bounds(window: Decimal) -> bool:
    """Only a window multiplier that passes its own check is combined (one out of bounds
    is refused on its own, once)."""
    return window.is_finite() and 0 < window <= MOST_COMBINED_MULTIPLIER


def _combined_problem(name: str, multiplier: Decimal, window: Decimal) -> str | None:
    if multiplier * window <= MOST_COMBINED_MULTIPLIER:
        return None
    return (
        f"{name} times multiplier must be at most {MOST_COMBINED_MULTIPLIER}"
        f" (got {multiplier} x {window})"
    )


def _names_problems(name: str, names: Iterable[str], what: str = "names") -> list[str]:
    """Names are matched exactly against what events send: one with control characters or
    spaces around it would silently never match, so it is refused."""
    names = list(names)
    problems = []
    if len(names) > MOST_NAMES:
        problems.append(f"{name} must name at most {MOST_NAMES} (got {len(names)})")
    bad = [text for text in names if not _plain_name(text)]
    if bad:
        problems.append(
            f"{name} must be {what} of 1 to {NAME_LENGTH} characters, without control"
            f" characters or spaces around (got {_listed(bad)})"
        )
    repeated = sorted(text for text, count in Counter(names).items() if count > 1)
    if repeated:
        problems.append(f"{name} must name each once (got {_listed(repeated)} more than once)")
    return problems


def _plain_name(text: str) -> bool:
    return (
        0 < len(text) <= NAME_LENGTH
        and text == text.strip()
        and not any(ord(c) < 32 or ord(c) == 127 for c in text)
    )


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(repr(name[: NAME_LENGTH + 1]) for name in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
