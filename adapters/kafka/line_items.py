"""Line items at the edge: the check a schema cannot make, their hashed text, domain values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from pydantic import BaseModel

from adapters.kafka.contracts import BillPaid, ReturnLine, SaleCompleted, SaleLine
from domain.events import LineItem, ReturnedItem

ITEMS_DO_NOT_ADD_UP = "items_do_not_add_up"


def lines_rejection(model: BaseModel) -> tuple[str, str] | None:
    """Why a sale's or bill's lines are refused, if they are: their amounts must add up to the
    message's total exactly. The total stays the truth for money; lines that disagree with it
    are a producer's bug, shown on the dead-letter topic (where it can be fixed and redriven)
    rather than guessed at. A return's lines are checked against its sale when applied."""
    if not isinstance(model, SaleCompleted | BillPaid) or not model.items:
        return None
    total = model.total_amount if isinstance(model, SaleCompleted) else model.amount
    lines = sum((line.amount for line in model.items), Decimal(0))  # exact: bounded digits
    if lines == total:
        return None
    return ITEMS_DO_NOT_ADD_UP, f"the items' amounts add up to {lines}, the total is {total}"


def items_text(items: Sequence[SaleLine | ReturnLine], value: Callable[[object], str]) -> str:
    """The items as ``json.dumps`` with sorted keys writes them, each value as ``value`` does."""
    rows = []
    for item in items:
        fields = sorted(type(item).model_fields)
        rows.append("{" + ", ".join(f'"{n}": {value(getattr(item, n))}' for n in fields) + "}")
    return "[" + ", ".join(rows) + "]"


def line_items(items: Sequence[SaleLine] | None) -> tuple[LineItem, ...]:
    return tuple(
        LineItem(
            sku=i.sku,
            category=i.category,
            quantity=i.quantity,
            unit_price=i.unit_price,
            discount=i.discount,
            amount=i.amount,
        )
        for i in items or ()
    )


def returned_items(items: Sequence[ReturnLine] | None) -> tuple[ReturnedItem, ...]:
    return tuple(ReturnedItem(sku=i.sku, quantity=i.quantity, amount=i.amount) for i in items or ())
