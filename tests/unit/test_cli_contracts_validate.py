"""``loyalty contracts validate``: the parser's verdict per message, with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.kafka.schema_export import example
from domain.events import EventKind
from service.entrypoints.cli import app

pytestmark = pytest.mark.unit


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["contracts", "validate", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("topic", list(EventKind))
def test_a_valid_message_file_is_accepted_with_exit_0(tmp_path: Path, topic: str) -> None:
    message = tmp_path / "message.json"
    message.write_text(json.dumps(example(topic), indent=2))

    code, output = _run(topic, str(message))

    assert code == 0
    assert output.strip() == f"{message}:1: accepted"


def test_json_lines_are_checked_one_by_one_and_a_rejection_says_why_with_exit_1(
    tmp_path: Path,
) -> None:
    good = json.dumps(example("bill.paid"))
    bad = json.dumps({**example("bill.paid"), "amount": "-5"})
    lines = tmp_path / "bills.jsonl"
    lines.write_text(f"{good}\n\n{bad}\nnot json\n")

    code, output = _run("bill.paid", str(lines), "--json")

    report = json.loads(output)
    assert code == 1
    assert (report["accepted"], report["rejected"]) == (1, 2)
    assert [(m["line"], m["code"]) for m in report["messages"]] == [
        (1, None),
        (3, "schema_violation"),
        (4, "invalid_json"),
    ]
    assert "amount" in report["messages"][1]["detail"]


def test_an_unknown_topic_or_a_missing_file_is_a_usage_error_with_exit_2(tmp_path: Path) -> None:
    assert _run("loyalty.ledger", str(tmp_path))[0] == 2
    assert _run("sale.completed", str(tmp_path / "missing.json"))[0] == 2


def test_a_national_phone_is_read_in_the_services_region_or_the_one_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the consumer reads it: a UK mobile without +44 is a phone in GB, not in US."""
    update = tmp_path / "update.json"
    update.write_text(json.dumps({**example("customer.updated"), "phone": "07911 123456"}))
    validate = ("customer.updated", str(update), "--json")

    accepted = json.loads(_run(*validate)[1])["accepted"]
    assert accepted == 1
    code, output = _run(*validate, "--phone-region", "US")
    assert (code, json.loads(output)["messages"][0]["code"]) == (1, "invalid_identifier")
    monkeypatch.setenv("LOYALTY_PHONE_REGION", "US")
    assert _run(*validate)[0] == 1
    assert _run(*validate, "--phone-region", "GB")[0] == 0
    assert _run(*validate, "--phone-region", "ZZ")[0] == 2
