"""The checks ``promtool check metrics`` makes, over a real scrape of every metric the service
registers: promtool itself is not installed by ``make test`` (no wheel ships it), so its
lint rules are restated here with prometheus_client's own parser."""

from __future__ import annotations

import re

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from adapters.http.metrics import HttpMetrics
from adapters.prometheus_metrics import PrometheusServiceMetrics
from adapters.prometheus_service import watch_pool
from tests.unit.test_metrics_in_outage import SizedPool

pytestmark = pytest.mark.unit

SNAKE_CASE = re.compile(r"^[a-z_][a-z0-9_]*$")
# promtool's lintMetricUnits and lintUnitAbbreviations: base units, spelled out.
NON_BASE_UNITS = re.compile(
    r"_(milliseconds|microseconds|nanoseconds|minutes|hours|days|weeks|years|kilobytes"
    r"|megabytes|gigabytes|bits|percent|celsius|fahrenheit"
    r"|ms|us|ns|sec|secs|min|mins|hr|hrs|kb|mb|gb|pct)(_|$)"
)
TYPE_WORDS = re.compile(r"_(counter|gauge|histogram|summary|untyped)(_|$)")
RESERVED_SUFFIXES = ("_bucket", "_count", "_sum")


def scrape() -> str:
    """Everything a /metrics answer holds: the process's collectors, the service's, the API's
    and the pool's, each metric with a sample."""
    registry = CollectorRegistry(auto_describe=True)
    service = PrometheusServiceMetrics(registry)
    service.events("sale.completed", "applied")
    service.batch(2, 0.01)
    service.retry("outbox")
    service.consumer_lag("sale.completed", 0, 1)
    service.outbox(1, 0.5)
    service.expiry_failures(1)
    service.capture_refused("expired", "http")
    service.systemic_failure("outbox", "OSError")
    service.task_failure("relay")
    service.sweep("completed", 1)
    for movement in ("earned", "redeemed", "expired", "reversed"):
        service.points(movement, 1)
    http = HttpMetrics(registry)
    http.requests.labels("GET", "/v1/x", "200").inc()
    http.latency.labels("GET", "/v1/x", "200").observe(0.1)
    pool = watch_pool(SizedPool(2, 1, 5), registry)
    next(pool)
    text = (generate_latest(REGISTRY) + generate_latest(registry)).decode()
    pool.close()
    return text


def typed(text: str) -> dict[str, str]:
    """Each ``# TYPE`` line's name as written (the parser drops a counter's ``_total``)."""
    lines = (line.split() for line in text.splitlines() if line.startswith("# TYPE "))
    return {words[2]: words[3] for words in lines}


def lint(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {name: [] for name in typed(text)}
    for name, kind in typed(text).items():
        if kind == "counter" and not name.endswith("_total"):
            found[name].append("a counter without _total")
    for family in text_string_to_metric_families(text):
        found.setdefault(family.name, []).extend(problems(family))
    return {name: issues for name, issues in found.items() if issues}


def problems(family: Metric) -> list[str]:
    found: list[str] = []
    name = family.name
    if not family.documentation.strip():
        found.append("no help text")
    if not SNAKE_CASE.match(name):
        found.append("not snake_case (or a reserved ':')")
    if NON_BASE_UNITS.search(name):
        found.append("a non-base or abbreviated unit")
    if TYPE_WORDS.search(name):
        found.append("its type in its name")
    if family.type != "counter" and name.endswith("_total"):
        found.append("_total on a non-counter")
    if family.type not in ("histogram", "summary") and name.endswith(RESERVED_SUFFIXES):
        found.append("a histogram/summary suffix on another type")
    if family.type == "unknown":
        found.append("no TYPE")
    for sample in family.samples:
        for label in sample.labels:
            if not SNAKE_CASE.match(label):
                found.append(f"label {label} not snake_case")
            if label in ("le", "quantile") and family.type not in ("histogram", "summary"):
                found.append(f"reserved label {label}")
    return found


def test_every_scraped_metric_passes_the_checks_promtool_check_metrics_makes() -> None:
    text = scrape()
    assert {f.name for f in text_string_to_metric_families(text)} >= {
        "loyalty_outbox_lag_seconds",
        "loyalty_consumer_lag_messages",
        "loyalty_batch_events",
        "loyalty_build_info",
        "loyalty_db_pool_connections",
        "loyalty_points_earned",
        "loyalty_http_requests",
    }
    assert lint(text) == {}


def test_the_service_gauges_that_measure_a_time_say_seconds_in_their_name() -> None:
    families = list(text_string_to_metric_families(scrape()))
    for family in families:
        if not family.name.startswith("loyalty_") or family.name.endswith("_created"):
            continue
        timed = re.search(r"\b(time|age|when)\b", family.documentation.lower())
        if family.type != "counter" and timed:
            assert family.name.endswith("_seconds"), family.name


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("loyalty_batch_size_total", "gauge"),
        ("loyalty_latency_ms", "gauge"),
        ("loyalty_wait_minutes", "gauge"),
        ("loyaltyLag", "gauge"),
        ("loyalty_events", "counter"),
        ("loyalty_queue_count", "gauge"),
        ("loyalty_lag_gauge", "gauge"),
    ],
)
def test_the_checks_catch_what_promtool_would(name: str, kind: str) -> None:
    assert lint(f"# HELP {name} x\n# TYPE {name} {kind}\n{name} 1\n")
