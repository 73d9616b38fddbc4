"""``loyalty contracts validate``: the parser's verdict per message, with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.kafka.schema_export import example
from service.entrypoints.cli import app

pytestmark = pytest.mark.unit


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["contracts", "validate", *args])
    return result.exit_code, result.output


def test_a_valid_message_file_is_accepted_with_exit_0(tmp_path: Path) -> None:
    sale = tmp_path / "sale.json"
    sale.write_text(json.dumps(example("sale.completed"), indent=2))

    code, output = _run("sale.completed", str(sale))

    assert code == 0
    assert output.strip() == f"{sale}:1: accepted"


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
