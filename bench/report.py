"""The table and bench-results.json: each figure the median of the runs, with the machine.

Ratios are taken within each run (service and baseline measured minutes apart on the same
machine) and their median reported, so a noisy neighbour skews one run, not the ratio."""

from __future__ import annotations

import json
import os
import platform
import statistics
from pathlib import Path
from typing import Any

ROWS: list[tuple[str, str, str]] = [
    ("bare_sql_events_per_s", "Bare set-based SQL", "events/s"),
    ("bare_kafka_msgs_per_s", "Bare aiokafka consume + json parse", "msgs/s"),
    ("same_work_events_per_s", "Same work: the service's SQL replayed", "events/s"),
    ("naive_events_per_s", "Naive: one transaction per event", "events/s"),
    ("service_events_per_s", "Service earning", "events/s"),
    ("service_peak_rss_mb", "Service peak RSS (earning)", "MB"),
    ("service_cpu_us_per_event", "Service CPU per event (earning)", "us"),
    ("service_cores_busy", "Service process busy (earning; 1 = a core)", "cores"),
    ("basket_same_work_events_per_s", "Same work, 5-item baskets", "events/s"),
    ("basket_service_events_per_s", "Service earning 5-item baskets", "events/s"),
    ("basket_service_cpu_us_per_event", "Service CPU per event (5-item baskets)", "us"),
    ("basket_service_cores_busy", "Service process busy (5-item baskets)", "cores"),
    ("basket_service_peak_rss_mb", "Service peak RSS (5-item baskets)", "MB"),
    ("latency_p50_ms", "Publish-to-commit p50", "ms"),
    ("latency_p99_ms", "Publish-to-commit p99", "ms"),
    ("replay_events_per_s", "Replay (new group, all applied)", "events/s"),
    ("replay_peak_rss_mb", "Service peak RSS (replay)", "MB"),
    ("bare_redeem_requests_per_s", "Bare SQL redeem, 32 connections", "req/s"),
    ("bare_redeem_p99_ms", "Bare SQL redeem p99", "ms"),
    ("redeem_requests_per_s", "Redeem API, 32 clients / 1,000 accounts", "req/s"),
    ("redeem_p50_ms", "Redeem p50", "ms"),
    ("redeem_p99_ms", "Redeem p99", "ms"),
    ("paced_redeem_p50_ms", "Redeem p50, 200 req/s arriving steadily", "ms"),
    ("paced_redeem_p99_ms", "Redeem p99, 200 req/s arriving steadily", "ms"),
    ("hot_requests_per_s", "Redeem API, 64 clients / 1 account", "req/s"),
    ("hot_overspend_points", "Overspend on the hot account (must be 0)", "points"),
    ("hot_final_balance", "Hot account balance afterwards (never < 0)", "points"),
    ("redeem_errors", "Redeem non-201 answers (32 clients)", "count"),
    ("import_accounts_rows_per_s", "Import accounts (CSV)", "rows/s"),
    ("import_balances_rows_per_s", "Import opening balances (JSON lines)", "rows/s"),
    ("import_rerun_rows_per_s", "Import the same balances again (nothing to do)", "rows/s"),
    ("import_database_cpu_us_per_row", "Import balances: the database's CPU a row", "us"),
    ("import_client_cpu_us_per_row", "Import balances: the command's CPU a row", "us"),
    ("import_cores_busy", "Import balances: cores kept busy (database and command)", "cores"),
    ("bare_copy_rows_per_s", "Bare COPY of the balance rows", "rows/s"),
    (
        "ledger_write_floor_rows_per_s",
        "The import's writes alone (entries, outbox, lots)",
        "rows/s",
    ),
    ("replay_same_events_per_s", "loyalty replay of the simulated sales", "events/s"),
    ("simulation_events_per_s", "loyalty simulate (two shadows, from setup to report)", "events/s"),
]

RATIOS: list[tuple[str, str, str, str]] = [
    ("service_over_bare", "Service / bare SQL", "service_events_per_s", "bare_sql_events_per_s"),
    (
        "service_over_same_work",
        "Service / same work",
        "service_events_per_s",
        "same_work_events_per_s",
    ),
    ("service_over_naive", "Service / naive", "service_events_per_s", "naive_events_per_s"),
    ("replay_over_earn", "Replay / earning", "replay_events_per_s", "service_events_per_s"),
    (
        "simulation_over_replay",
        "Simulation / replay of the same events",
        "simulation_events_per_s",
        "replay_same_events_per_s",
    ),
    (
        "basket_over_total_only",
        "5-item / total-only, events/s",
        "basket_service_events_per_s",
        "service_events_per_s",
    ),
    (
        "basket_cpu_over_total_only",
        "5-item / total-only, CPU per event",
        "basket_service_cpu_us_per_event",
        "service_cpu_us_per_event",
    ),
    (
        "basket_service_over_same_work",
        "5-item service / 5-item same work",
        "basket_service_events_per_s",
        "basket_same_work_events_per_s",
    ),
    (
        "import_over_bare_copy",
        "Import balances / bare COPY",
        "import_balances_rows_per_s",
        "bare_copy_rows_per_s",
    ),
    (
        "import_over_ledger_writes",
        "Import balances / its writes alone",
        "import_balances_rows_per_s",
        "ledger_write_floor_rows_per_s",
    ),
    (
        "redeem_over_bare",
        "Redeem API / bare SQL redeem",
        "redeem_requests_per_s",
        "bare_redeem_requests_per_s",
    ),
]


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = {k for run in runs for k in run}
    return {k: statistics.median(run[k] for run in runs if k in run) for k in sorted(keys)}


def ratios(figures: dict[str, float]) -> dict[str, float]:
    return {
        name: figures[top] / figures[bottom]
        for name, _, top, bottom in RATIOS
        if top in figures and figures.get(bottom)
    }


def ratio_medians(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each ratio within each run, then the median over the runs."""
    return medians([ratios(run) for run in runs])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / (1 << 20), 1)
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def describe_machine() -> str:
    m = machine()
    return f"{m['cores']} cores, {m['cpu_model']}, {m['memory_gb']} GB, Python {m['python']}"


def table(
    figures: dict[str, float], derived: dict[str, float], runs: list[dict[str, float]]
) -> str:
    lines = [
        f"machine: {describe_machine()}",
        f"{'measure':<46} {'median of ' + str(len(runs)):>14} {'min - max':>22}  unit",
        "-" * 92,
    ]
    for key, label, unit in ROWS:
        if key in figures:
            seen = [run[key] for run in runs if key in run]
            spread = f"{min(seen):,.1f} - {max(seen):,.1f}"
            lines.append(f"{label:<46} {figures[key]:>14,.1f} {spread:>22}  {unit}")
    per_run = [ratios(run) for run in runs]
    for key, label, _, _ in RATIOS:
        if key in derived:
            seen = [r[key] for r in per_run if key in r]
            spread = f"{min(seen):.2f} - {max(seen):.2f}"
            lines.append(f"{label:<46} {derived[key]:>14.2f} {spread:>22}  x")
    return "\n".join(lines)


def write(path: Path, config: dict[str, Any], runs: list[dict[str, float]]) -> str:
    figures = medians(runs)
    derived = ratio_medians(runs)
    document = {
        "machine": machine(),
        "config": config,
        "median": figures,
        "ratios": derived,
        "ratios_note": "each ratio taken within a run; the median over the runs",
        "runs": runs,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return table(figures, derived, runs)
