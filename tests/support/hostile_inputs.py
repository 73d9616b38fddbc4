"""Every kind of hostile record the parser knows, in one list: the unit fuzz test and the
contract test (poison then a good record on one partition) both run all of them.

Each is a ``sale.completed`` record with one thing wrong, and the dead-letter code it must
get. Raw JSON tokens that ``json.dumps`` cannot write (NaN, -0, 1e400, lone surrogates
escaped in JSON) are spliced into an otherwise valid message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.support.events import encode, item, sale

_SPLICE = "__raw_json_token__"
_DEEP = 50_000  # far beyond the JSON decoder's recursion limit
_HUGE = 100_000  # characters: big, yet well inside a broker's default 1 MB message limit


@dataclass(frozen=True)
class Hostile:
    name: str
    raw: bytes | None
    code: str
    """The dead-letter code the record must get."""


def _with(business: str, customer: str, field: str, value: Any) -> bytes:
    return encode({**sale(business, customer, "1.00"), field: value})


def _with_token(business: str, customer: str, field: str, token: str) -> bytes:
    raw = _with(business, customer, field, _SPLICE)
    return raw.replace(json.dumps(_SPLICE).encode(), token.encode())


def _without(business: str, customer: str, field: str) -> bytes:
    return encode({k: v for k, v in sale(business, customer, "1.00").items() if k != field})


OCCURRED_AT_VALUES: dict[str, Any] = {
    "year_1_at_plus_14h": "0001-01-01T00:00:00+14:00",  # no UTC datetime exists for it
    "year_9999_at_minus_1h": "9999-12-31T23:59:59-01:00",
    "epoch_seconds_number": 1_780_000_000,
    "epoch_zero": 0,
    "epoch_seconds_string": "1780000000",
    "no_offset": "2026-06-01T12:00:00",
    "date_only": "2026-06-01",
    "no_seconds": "2026-06-01T12:00Z",
    "space_separator": "2026-06-01 12:00:00Z",
    "before_2000": "1999-12-31T23:59:59.999999Z",
    "from_3000": "3000-01-01T00:00:00Z",
    "from_3000_in_utc_only": "2999-12-31T23:30:00-01:00",
    "leap_second": "2026-06-30T23:59:60Z",
    "offset_of_24h": "2026-06-01T12:00:00+24:00",
    "offset_without_colon": "2026-06-01T12:00:00+0200",
    "february_30": "2026-02-30T12:00:00Z",
    "fullwidth_digits": "２０２６-06-01T12:00:00Z",
    "trailing_newline": "2026-06-01T12:00:00Z\n",
    "trailing_nul": "2026-06-01T12:00:00Z\x00",
    "ten_fraction_digits": "2026-06-01T12:00:00.1234567890Z",
    "huge_string": "2026-06-01T12:00:00." + "1" * _HUGE + "Z",
    "null": None,
    "boolean": True,
    "object": {"seconds": 1},
    "list": ["2026-06-01T12:00:00Z"],
}

MONEY_VALUES: dict[str, Any] = {
    "nan_string": "NaN",
    "infinity_string": "Infinity",
    "signalling_nan_string": "sNaN",
    "exponent_string": "1e2",
    "huge_exponent_string": "1e400",
    "negative_zero_string": "-0",
    "negative_zero_decimal_string": "-0.00",
    "negative_string": "-0.01",
    "plus_sign": "+1",
    "underscores": "1_000",
    "spaces": " 1 ",
    "arabic_indic_digits": "١٢",
    "hexadecimal": "0x10",
    "empty_string": "",
    "five_places_string": "0.00001",
    "above_the_maximum_string": "1000000000.0001",
    "nines_beyond_the_context": "0." + "9" * 29,
    "huge_digit_string": "9" * _HUGE,
    "boolean": True,
    "null": None,
    "list": [1],
    "object": {"amount": "1.00"},
}

MONEY_TOKENS: dict[str, str] = {  # JSON numbers json.dumps would not write
    "negative_zero_number": "-0",
    "negative_zero_decimal_number": "-0.0",
    "negative_number": "-1",
    "huge_exponent_number": "1e400",
    "enormous_exponent_number": "1E+999999999",
    "tiny_exponent_number": "1e-999999999",
    "five_places_number": "0.00001",
    "float_noise": "0.30000000000000004",
    "above_the_maximum_number": "1000000000.0001",
    "ten_to_the_tenth": "1e10",
}

STRING_VALUES: dict[str, tuple[str, Any]] = {
    "nul_in_event_id": ("event_id", "evt\x00"),
    "escape_in_event_id": ("event_id", "evt\x1b[31m"),
    "empty_event_id": ("event_id", ""),
    "blank_business_id": ("business_id", "   "),
    "too_long_sale_id": ("sale_id", "s" * 201),
    "huge_sale_id": ("sale_id", "s" * _HUGE),
    "number_as_event_id": ("event_id", 42),
    "object_as_business_id": ("business_id", {"id": "b"}),
    "list_as_customer_id": ("customer_id", ["c"]),
    "lower_case_currency": ("currency", "eur"),
    "four_letter_currency": ("currency", "EURO"),
    "symbol_currency": ("currency", "€€€"),
    "bad_redemption_id": ("loyalty_redemption_id", "not-a-uuid"),
    "number_redemption_id": ("loyalty_redemption_id", 123),
}

STRING_TOKENS: dict[str, tuple[str, str]] = {
    "lone_high_surrogate": ("event_id", '"evt\\ud800"'),
    "lone_low_surrogate": ("customer_id", '"\\udfff"'),
    "reversed_surrogate_pair": ("sale_id", '"\\ude00\\ud83d"'),
}


_LINE = item("a", "1.00")

ITEM_VALUES: dict[str, tuple[Any, str]] = {  # the items field of a 1.00 sale, and its code
    "items_a_string": ("bread", "schema_violation"),
    "items_an_object": (_LINE, "schema_violation"),
    "items_of_numbers": ([1, 2], "schema_violation"),
    "item_without_sku": ([{k: v for k, v in _LINE.items() if k != "sku"}], "schema_violation"),
    "item_without_amount": (
        [{k: v for k, v in _LINE.items() if k != "amount"}],
        "schema_violation",
    ),
    "item_blank_sku": ([{**_LINE, "sku": "  "}], "schema_violation"),
    "item_nul_in_sku": ([{**_LINE, "sku": "a\x00"}], "schema_violation"),
    "item_huge_sku": ([{**_LINE, "sku": "s" * _HUGE}], "schema_violation"),
    "item_zero_quantity": ([{**_LINE, "quantity": "0.0000"}], "schema_violation"),
    "item_negative_quantity": ([{**_LINE, "quantity": "-1"}], "schema_violation"),
    "item_nan_quantity": ([{**_LINE, "quantity": "NaN"}], "schema_violation"),
    "item_negative_discount": ([{**_LINE, "discount": "-0.01"}], "schema_violation"),
    "item_five_places_amount": ([{**_LINE, "amount": "1.00001"}], "schema_violation"),
    "item_list_as_category": ([{**_LINE, "category": ["x"]}], "schema_violation"),
    "too_many_items": ([item("a", "0")] * 1_001, "schema_violation"),
    "items_short_of_the_total": ([item("a", "0.99")], "items_do_not_add_up"),
    "items_beyond_the_total": ([_LINE, item("b", "0.01")], "items_do_not_add_up"),
}

ITEM_TOKENS: dict[str, tuple[str, str]] = {  # raw JSON for the items field json.dumps won't write
    "item_negative_zero_quantity": (
        '[{"sku": "a", "quantity": -0, "unit_price": 1, "amount": 1}]',
        "schema_violation",
    ),
    "item_float_noise_amount": (
        '[{"sku": "a", "quantity": 1, "unit_price": 1, "amount": 0.30000000000000004}]',
        "schema_violation",
    ),
    "item_huge_exponent_quantity": (
        '[{"sku": "a", "quantity": 1e400, "unit_price": 1, "amount": 1}]',
        "schema_violation",
    ),
    "item_nan_literal": ('[{"sku": "a", "quantity": NaN, "amount": 1}]', "invalid_json"),
    "item_lone_surrogate_sku": (
        '[{"sku": "\\ud800", "quantity": 1, "unit_price": 1, "amount": 1}]',
        "schema_violation",
    ),
    "item_deep_nesting": ("[" * _DEEP + "]" * _DEEP, "invalid_json"),
}


def hostile_records(business: str, customer: str) -> list[Hostile]:
    """One of each, for ``business`` and ``customer`` (a shop the test set up, or anything)."""
    good = encode(sale(business, customer, "1.00"))
    records = [
        Hostile("no_value", None, "empty_message"),
        Hostile("empty_bytes", b"", "invalid_json"),
        Hostile("not_utf8", b"\xff\xfe{}", "invalid_utf8"),
        Hostile("utf8_encoded_surrogate", b'{"event_id": "\xed\xa0\x80"}', "invalid_utf8"),
        Hostile("byte_order_mark", b"\xef\xbb\xbf" + good, "invalid_json"),
        Hostile("truncated", good[:-3], "invalid_json"),
        Hostile("deep_nesting", b"[" * _DEEP + b"]" * _DEEP, "invalid_json"),
        Hostile(
            "deep_nesting_in_an_unknown_field",
            _with_token(business, customer, "lines", "[" * _DEEP + "]" * _DEEP),
            "invalid_json",
        ),
        Hostile(
            "integer_beyond_the_digit_limit",  # of int(): JSON integers are read as Decimal
            _with_token(business, customer, "total_amount", "1" + "0" * 5_000),
            "schema_violation",
        ),
        Hostile(
            "nan_literal", _with_token(business, customer, "total_amount", "NaN"), "invalid_json"
        ),
        Hostile(
            "infinity_literal",
            _with_token(business, customer, "total_amount", "-Infinity"),
            "invalid_json",
        ),
        Hostile("json_array", b"[1, 2, 3]", "schema_violation"),
        Hostile("json_string", b'"sale"', "schema_violation"),
        Hostile("json_number", b"42", "schema_violation"),
        Hostile("json_null", b"null", "schema_violation"),
        Hostile("missing_sale_id", _without(business, customer, "sale_id"), "schema_violation"),
        Hostile(
            "missing_occurred_at", _without(business, customer, "occurred_at"), "schema_violation"
        ),
    ]
    for name, value in OCCURRED_AT_VALUES.items():
        raw = _with(business, customer, "occurred_at", value)
        records.append(Hostile(f"occurred_at_{name}", raw, "schema_violation"))
    for name, value in MONEY_VALUES.items():
        raw = _with(business, customer, "total_amount", value)
        records.append(Hostile(f"money_{name}", raw, "schema_violation"))
    for name, token in MONEY_TOKENS.items():
        raw = _with_token(business, customer, "total_amount", token)
        records.append(Hostile(f"money_{name}", raw, "schema_violation"))
    for name, (field, value) in STRING_VALUES.items():
        records.append(Hostile(name, _with(business, customer, field, value), "schema_violation"))
    for name, (field, token) in STRING_TOKENS.items():
        raw = _with_token(business, customer, field, token)
        records.append(Hostile(name, raw, "schema_violation"))
    for name, (value, code) in ITEM_VALUES.items():
        records.append(Hostile(name, _with(business, customer, "items", value), code))
    for name, (token, code) in ITEM_TOKENS.items():
        records.append(Hostile(name, _with_token(business, customer, "items", token), code))
    return records
