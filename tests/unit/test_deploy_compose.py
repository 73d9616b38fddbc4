"""deploy/compose.yaml against the compose specification, and the topics from one place."""

from __future__ import annotations

import copy
import importlib.resources
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from service.entrypoints.settings import Settings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _load_topics_script() -> Any:
    """deploy/topics.py: a script beside the file it reads, not a package."""
    spec = importlib.util.spec_from_file_location("deploy_topics", DEPLOY / "topics.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


topics = _load_topics_script()


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def compose_spec_errors(document: dict[str, Any]) -> list[str]:
    # The compose-spec schema as check-jsonschema vendors it (from github.com/compose-spec/
    # compose-spec, schema/compose-spec.json): offline, pinned by the dev lock.
    vendored = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads((vendored / "compose-spec.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification() -> None:
    assert compose_spec_errors(compose()) == []


def test_the_specification_check_would_catch_a_misspelt_dependency_condition() -> None:
    broken = copy.deepcopy(compose())
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_finished"
    assert compose_spec_errors(broken) != []


def test_migrations_gate_the_api_and_the_consumer_and_topics_gate_the_consumer() -> None:
    services = compose()["services"]
    for role in ("api", "consumer"):
        gate = services[role]["depends_on"]["migrate"]["condition"]
        assert gate == "service_completed_successfully"
        assert services[role]["command"] == ["serve", "--role", role]
        assert "healthcheck" in services[role]
    assert services["consumer"]["depends_on"]["kafka-topics"]["condition"] == (
        "service_completed_successfully"
    )


def test_the_image_is_built_once_and_the_api_and_a_host_kafka_listener_are_published() -> None:
    services = compose()["services"]
    assert [name for name, s in services.items() if "build" in s] == ["migrate"]
    images = {services[n]["image"] for n in ("migrate", "api", "consumer")}
    assert len(images) == 1 and ":latest" not in images.pop()
    assert "8080:8080" in services["api"]["ports"]
    kafka = services["kafka"]["environment"]
    assert "HOST://localhost:9092" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    assert any(p.endswith(":9092:9092") for p in services["kafka"]["ports"])
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_the_jwt_secret_in_compose_is_marked_as_for_development_only() -> None:
    secret = compose()["services"]["api"]["environment"]["LOYALTY_JWT_SECRET"]
    assert "dev-only" in secret and "not-for-production" in secret


def test_topics_file_names_every_topic_the_service_reads_or_writes() -> None:
    listed = {t.name for t in topics.read_topics()}
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert sorted(set(settings.all_topics()) - listed) == []


def test_the_init_script_creates_every_listed_topic_with_its_partitions_and_retention(
    tmp_path: Path,
) -> None:
    record = tmp_path / "calls"
    stub = tmp_path / "kafka-topics.sh"
    stub.write_text(f'#!/bin/sh\necho "$@" >> {record}\n')
    stub.chmod(0o755)
    env = {**os.environ, "KAFKA_TOPICS": str(stub), "TOPICS_FILE": str(DEPLOY / "topics.tsv")}
    subprocess.run(["sh", str(DEPLOY / "topics-create.sh")], env=env, check=True, timeout=30)
    calls = record.read_text().splitlines()
    expected = [
        f"--topic {t.name} --partitions {t.partitions} --replication-factor 1 "
        f"--config retention.ms={t.retention_ms}"
        for t in topics.read_topics()
    ]
    assert len(calls) == len(expected)
    for call, wanted in zip(calls, expected, strict=True):
        assert wanted in call and "--if-not-exists" in call
