"""The README's "Operating it" names only metrics the service registers, each with the type it
has, and every metric it registers; and the exit codes it documents are cli_exits' own."""

from __future__ import annotations

import re

import pytest
from prometheus_client import generate_latest

from adapters.prometheus_verify import VerifyOutcome, verify_registry
from service.entrypoints import cli_exits
from tests.support.readme_sections import section
from tests.unit.test_metrics_exposition import scrape, typed

pytestmark = pytest.mark.unit

OPERATING = section("Operating it")


def subsection(text: str, title: str) -> str:
    start = text.index(f"### {title}\n")
    end = text.find("\n### ", start + 1)
    return text[start : end if end != -1 else len(text)]


def table_rows(text: str) -> list[list[str]]:
    """The cells of each body row of the tables in ``text``."""
    rows = [line.strip("|").split(" | ") for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows if not row[0].startswith("---")][1:]


def metric_types(text: str) -> dict[str, str]:
    """{metric name: type} of a metrics table; a row may name several metrics, and then as
    many types (or one for all)."""
    found: dict[str, str] = {}
    for cells in table_rows(text):
        names = re.findall(r"`(loyalty_[a-z_]+)`", cells[0])
        kinds = [kind.strip() for kind in cells[1].split(",")]
        kinds = kinds if len(kinds) == len(names) else kinds * len(names)
        for name, kind in zip(names, kinds, strict=True):
            assert name not in found, f"{name} is listed twice"
            found[name] = kind
    return found


def service_metrics() -> dict[str, str]:
    """{name: type} of every loyalty_ metric a /metrics scrape holds (counters with _total)."""
    return {
        name: kind
        for name, kind in typed(scrape()).items()
        if name.startswith("loyalty_") and not name.endswith("_created")
    }


def test_the_metrics_table_shows_every_metric_of_a_scrape_with_its_type() -> None:
    assert metric_types(subsection(OPERATING, "Metrics")) == service_metrics()


def test_the_verify_metrics_named_are_those_a_completed_run_writes() -> None:
    outcome = VerifyOutcome("ok", 1.0, 2.0, 1, 2, {"balance": 0}, {"over_refund": 0})
    written = set(typed(generate_latest(verify_registry(outcome)).decode()))
    cron = subsection(OPERATING, "Verify from cron")
    named = set(re.findall(r"`(loyalty_verify_[a-z_]+)`", cron))
    assert named == written


def test_the_exit_codes_table_is_cli_exits_own() -> None:
    rows = table_rows(subsection(OPERATING, "Exit codes and scripting"))
    shown = {int(cells[0].strip("`")): cells[1] for cells in rows}
    assert set(shown) == {cli_exits.OK, cli_exits.FINDING, cli_exits.USAGE, cli_exits.UNREACHABLE}
    assert shown[cli_exits.OK].startswith("ok")
    assert shown[cli_exits.FINDING].startswith("a finding")
    assert shown[cli_exits.USAGE].startswith("usage")
    assert "unreachable" in shown[cli_exits.UNREACHABLE]


def test_a_metric_the_service_does_not_register_is_caught() -> None:
    text = subsection(OPERATING, "Metrics") + "| `loyalty_made_up_total` | counter | Nothing. |\n"
    assert metric_types(text) != service_metrics()
