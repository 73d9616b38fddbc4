"""``loyalty verify --metrics-file``: what a run leaves for node_exporter's textfile collector,
whatever way the run ended."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.prometheus_verify import VerifyOutcome, write_verify_metrics
from service.entrypoints.cli_verify_metrics import recorded
from service.use_cases.verification import VerificationReport
from tests.unit.test_metrics_exposition import lint

pytestmark = pytest.mark.unit


def samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(path.read_text())
        for s in family.samples
    }


def ticks() -> Callable[[], float]:
    times = iter([100.0, 102.5])
    return lambda: next(times)


def test_a_run_that_found_a_breach_records_its_result_counts_and_findings_by_kind(
    tmp_path: Path,
) -> None:
    path = tmp_path / "loyalty_verify.prom"
    report = VerificationReport(accounts_checked=3, entries_checked=40)
    report.found("balance", ["account a/1: balance 5 but entries sum to 4"])
    report.found("hash_chain", [])
    report.found("parked_refund", [], ["return r-1 waits for its sale"])

    with recorded(path, ticks()) as done:
        pass
    done(report)

    got = samples(path)
    assert got[("loyalty_verify_last_run_result", (("result", "breach"),))] == 1
    assert got[("loyalty_verify_last_run_result", (("result", "ok"),))] == 0
    assert got[("loyalty_verify_last_run_timestamp_seconds", ())] == 102.5
    assert got[("loyalty_verify_last_run_duration_seconds", ())] == 2.5
    assert got[("loyalty_verify_accounts_checked", ())] == 3
    assert got[("loyalty_verify_entries_checked", ())] == 40
    findings = "loyalty_verify_findings"
    assert got[(findings, (("kind", "balance"), ("severity", "breach")))] == 1
    assert got[(findings, (("kind", "hash_chain"), ("severity", "breach")))] == 0
    assert got[(findings, (("kind", "parked_refund"), ("severity", "notice")))] == 1
    assert lint(path.read_text()) == {}


@pytest.mark.parametrize(
    ("error", "result"),
    [(ConnectionRefusedError(111, "refused"), "unreachable"), (KeyError("bug"), "error")],
)
def test_a_run_that_could_not_finish_records_why_with_no_counts_and_raises_on(
    tmp_path: Path, error: Exception, result: str
) -> None:
    path = tmp_path / "loyalty_verify.prom"

    with pytest.raises(type(error)), recorded(path, ticks()):
        raise error

    got = samples(path)
    assert got[("loyalty_verify_last_run_result", (("result", result),))] == 1
    assert sum(v for (name, _), v in got.items() if name.endswith("_result")) == 1
    assert not any(name.endswith("_checked") or "findings" in name for name, _ in got)
    assert got[("loyalty_verify_last_run_timestamp_seconds", ())] == 102.5


def test_a_run_without_a_metrics_file_writes_nothing(tmp_path: Path) -> None:
    with recorded(None) as done:
        pass
    done(VerificationReport())
    assert list(tmp_path.iterdir()) == []


def test_a_new_run_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "loyalty_verify.prom"
    write_verify_metrics(path, VerifyOutcome("unreachable", 1.0, 2.0))
    write_verify_metrics(path, VerifyOutcome("ok", 3.0, 4.0, 0, 0))

    assert [p.name for p in tmp_path.iterdir()] == ["loyalty_verify.prom"]
    got = samples(path)
    assert got[("loyalty_verify_last_run_result", (("result", "ok"),))] == 1
    assert got[("loyalty_verify_last_run_result", (("result", "unreachable"),))] == 0


def test_an_unknown_result_is_refused_rather_than_written() -> None:
    with pytest.raises(ValueError, match="unknown verify result"):
        write_verify_metrics(Path("unused"), VerifyOutcome("fine", 0.0, 1.0))
