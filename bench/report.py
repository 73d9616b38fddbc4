"""The table and bench-results.json: each figure the median of the runs, with the machine."""

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
    ("naive_events_per_s", "Naive: one transaction per event", "events/s"),
    ("service_events_per_s", "Service earning", "events/s"),
    ("service_peak_rss_mb", "Service peak RSS (earning)", "MB"),
    ("latency_p50_ms", "Publish-to-commit p50", "ms"),
    ("latency_p99_ms", "Publish-to-commit p99", "ms"),
    ("replay_events_per_s", "Replay (new group, all applied)", "events/s"),
    ("replay_peak_rss_mb", "Service peak RSS (replay)", "MB"),
    ("redeem_requests_per_s", "Redeem API, 32 clients / 1,000 accounts", "req/s"),
    ("redeem_p50_ms", "Redeem p50", "ms"),
    ("redeem_p99_ms", "Redeem p99", "ms"),
    ("hot_requests_per_s", "Redeem API, 64 clients / 1 account", "req/s"),
    ("hot_overspend_points", "Overspend on the hot account (must be 0)", "points"),
    ("hot_final_balance", "Hot account balance afterwards (never < 0)", "points"),
    ("redeem_errors", "Redeem non-201 answers (32 clients)", "count"),
]

RATIOS: list[tuple[str, str, str, str]] = [
    ("service_over_bare", "Service / bare SQL", "service_events_per_s", "bare_sql_events_per_s"),
    ("service_over_naive", "Service / naive", "service_events_per_s", "naive_events_per_s"),
    ("replay_over_earn", "Replay / earning", "replay_events_per_s", "service_events_per_s"),
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


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
    }


def table(figures: dict[str, float], derived: dict[str, float], runs: int) -> str:
    lines = [f"{'measure':<46} {'median of ' + str(runs):>14}  unit", "-" * 70]
    for key, label, unit in ROWS:
        if key in figures:
            lines.append(f"{label:<46} {figures[key]:>14,.1f}  {unit}")
    for key, label, _, _ in RATIOS:
        if key in derived:
            lines.append(f"{label:<46} {derived[key]:>14.2f}  x")
    return "\n".join(lines)


def write(path: Path, config: dict[str, Any], runs: list[dict[str, float]]) -> str:
    figures = medians(runs)
    derived = ratios(figures)
    document = {
        "machine": machine(),
        "config": config,
        "median": figures,
        "ratios": derived,
        "runs": runs,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return table(figures, derived, len(runs))
