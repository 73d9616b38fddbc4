"""Normalising identifiers: one number, card or address typed any usual way is one identifier,
and what is not one is refused with a clear error, never with anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.phone_numbers import e164, phone_identifier
from domain.identifiers import IdentifierKind, InvalidIdentifier, card, email, phone

pytestmark = pytest.mark.unit

# Valid GB mobile numbers (07400 is allocated whole; half of 07911 and the 07700 900 drama
# range are not).
gb_mobiles = st.integers(min_value=0, max_value=999_999).map(lambda n: f"7400{n:06d}")


def spellings(national: str) -> st.SearchStrategy[str]:
    """How a till might type the GB number ``national`` (ten digits, no leading 0)."""
    sep = st.sampled_from(["", " ", "-", ".", " - "])
    return st.tuples(st.sampled_from(["0", "+44", "+44 ", "0044", "+44 (0)"]), sep, sep).map(
        lambda p: f"{p[0]}{national[:4]}{p[1]}{national[4:7]}{p[2]}{national[7:]}"
    )


@given(gb_mobiles.flatmap(lambda n: st.tuples(st.just(n), spellings(n), spellings(n))))
def test_the_same_number_typed_any_way_is_one_identifier(case: tuple[str, str, str]) -> None:
    national, one, other = case

    assert phone_identifier(one) == phone_identifier(other)
    assert phone_identifier(one).value == f"+44{national}"


def test_a_number_without_country_code_is_read_in_the_region_given() -> None:
    assert e164("(202) 555-0143", "us") == "+12025550143"
    assert e164("+1 202 555 0143") == "+12025550143"  # its own code wins over the region


@pytest.mark.parametrize(
    "raw", ["", "call me", "+44 7700 900123", "12", "+999 1234 5678", "0" * 80, "0791112345"]
)
def test_what_is_not_a_valid_phone_number_is_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        phone_identifier(raw)


@given(st.text(max_size=80))
def test_no_text_raises_anything_but_a_refusal(raw: str) -> None:
    for parse in (phone_identifier, card, email):
        try:
            found = parse(raw)
        except InvalidIdentifier:
            continue
        assert found.value == parse(found.value).value  # a normalised value stays as it is


def test_a_card_number_keeps_its_digits_only() -> None:
    assert card(" 6011-0000 0000-0004 ").value == "6011000000000004"
    assert card("12345678").kind is IdentifierKind.CARD


@pytest.mark.parametrize("raw", ["1234567", "1" * 20, "1234 567a", "١٢٣٤٥٦٧٨٩", ""])
def test_a_card_number_has_8_to_19_ascii_digits(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        card(raw)


def test_an_email_address_is_trimmed_and_lower_cased() -> None:
    assert email("  Ann.Lee@Example.COM ").value == "ann.lee@example.com"


@pytest.mark.parametrize("raw", ["ann", "@example.com", "ann@", "a@b@c", "a b@c.d", ""])
def test_an_email_address_has_one_at_between_two_parts(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        email(raw)


def test_the_domain_takes_phones_in_e164_only() -> None:
    assert phone("+447911123456").kind is IdentifierKind.PHONE
    with pytest.raises(InvalidIdentifier):
        phone("07911123456")
