"""The outcome of one ``loyalty verify`` run as a Prometheus text file.

A verify run lasts seconds and has exited before any scrape, so it writes what it found to a
file that node_exporter's textfile collector serves (``--collector.textfile.directory``). The
file is written even when the database could not be reached: an outage is an outcome too,
which a record kept in the database could never say."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

RESULTS = ("ok", "breach", "unreachable", "error")
"""ok: no breach (notices allowed); breach: exit 1; unreachable: exit 3; error: anything else."""


@dataclass(frozen=True)
class VerifyOutcome:
    """One run: its result, when it started and ended (Unix time) and, when it ran to the end,
    what it checked and found by kind."""

    result: str
    started_at: float
    finished_at: float
    accounts_checked: int | None = None
    entries_checked: int | None = None
    breaches: Mapping[str, int] = field(default_factory=dict)
    notices: Mapping[str, int] = field(default_factory=dict)


def verify_registry(outcome: VerifyOutcome) -> CollectorRegistry:
    """The run's gauges; counts only when it ran to the end (unknown is not zero)."""
    if outcome.result not in RESULTS:
        raise ValueError(f"unknown verify result {outcome.result!r}")
    registry = CollectorRegistry()
    Gauge(
        "loyalty_verify_last_run_timestamp_seconds",
        "When the last loyalty verify run ended (Unix time).",
        registry=registry,
    ).set(outcome.finished_at)
    Gauge(
        "loyalty_verify_last_run_duration_seconds",
        "How long the last loyalty verify run took.",
        registry=registry,
    ).set(max(outcome.finished_at - outcome.started_at, 0.0))
    result = Gauge(
        "loyalty_verify_last_run_result",
        "The last run's result: 1 for the one it had (ok, breach, unreachable, error), 0 else.",
        ["result"],
        registry=registry,
    )
    for name in RESULTS:
        result.labels(name).set(1 if name == outcome.result else 0)
    if outcome.accounts_checked is None:
        return registry
    Gauge(
        "loyalty_verify_accounts_checked",
        "Accounts whose hash chains the last completed run checked.",
        registry=registry,
    ).set(outcome.accounts_checked)
    Gauge(
        "loyalty_verify_entries_checked",
        "Ledger entries the last completed run checked.",
        registry=registry,
    ).set(outcome.entries_checked or 0)
    findings = Gauge(
        "loyalty_verify_findings",
        "What the last completed run found, by severity (breach, notice) and check.",
        ["severity", "kind"],
        registry=registry,
    )
    for severity, kinds in (("breach", outcome.breaches), ("notice", outcome.notices)):
        for kind, count in kinds.items():
            findings.labels(severity, kind).set(count)
    return registry


def write_verify_metrics(path: Path, outcome: VerifyOutcome) -> None:
    """Replace ``path`` at once (a temporary file renamed): the collector never reads half."""
    write_to_textfile(str(path), verify_registry(outcome))
