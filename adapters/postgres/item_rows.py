"""Line items as the JSON kept in ``purchases`` and ``refunds`` (NULL: none). Decimals are
written as strings, so quantities, amounts and exact earnings come back exactly."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from domain.events import ReturnedItem
from domain.line_earning import EarnedLine
from domain.line_returns import NOTHING_RETURNED, Returned, SkuReturned


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def lines_json(lines: Sequence[EarnedLine]) -> list[dict[str, Any]] | None:
    if not lines:
        return None
    return [
        {
            "sku": line.sku,
            "category": line.category,
            "quantity": str(line.quantity),
            "amount": str(line.amount),
            "earned": str(line.earned),
        }
        for line in lines
    ]


def lines_from(text: str | None) -> tuple[EarnedLine, ...]:
    if text is None:
        return ()
    return tuple(
        EarnedLine(
            sku=line["sku"],
            category=line["category"],
            quantity=Decimal(line["quantity"]),
            amount=Decimal(line["amount"]),
            earned=Decimal(line["earned"]),
        )
        for line in json.loads(text)
    )


def returned_json(returned: Returned) -> dict[str, Any] | None:
    if returned == NOTHING_RETURNED:
        return None
    return {
        "unnamed": str(returned.unnamed),
        "skus": [[e.sku, str(e.quantity), str(e.amount)] for e in returned.skus],
    }


def returned_from(text: str | None) -> Returned:
    if text is None:
        return NOTHING_RETURNED
    data = json.loads(text)
    return Returned(
        skus=tuple(SkuReturned(s, Decimal(q), Decimal(a)) for s, q, a in data["skus"]),
        unnamed=Decimal(data["unnamed"]),
    )


def returned_items_json(items: Sequence[ReturnedItem]) -> list[list[str | None]] | None:
    if not items:
        return None
    return [[i.sku, _text(i.quantity), _text(i.amount)] for i in items]


def returned_items_from(text: str | None) -> tuple[ReturnedItem, ...]:
    if text is None:
        return ()
    return tuple(ReturnedItem(s, _decimal(q), _decimal(a)) for s, q, a in json.loads(text))
