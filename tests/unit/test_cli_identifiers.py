"""``loyalty account`` shows the name and identifiers kept beside the account."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.accounts import Account
from domain.identifiers import card, phone
from service.entrypoints.presenters import statement, statement_text
from service.use_cases.accounts import AccountStatement

pytestmark = pytest.mark.unit


def test_the_statement_shows_the_name_and_every_identifier_in_text_and_json() -> None:
    known = (phone("+447911123456"), card("12345678"))
    shown = AccountStatement(Account("shop", uuid4(), "cust_1"), [], None, known, "Ann")

    assert "known as: Ann, phone +447911123456, card 12345678" in statement_text(shown)
    document = statement(shown)
    assert (document["name"], document["phone"]) == ("Ann", "+447911123456")
    assert document["identifiers"][1] == {"kind": "card", "value": "12345678"}
