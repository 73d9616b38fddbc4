"""deploy/k8s: strict Kubernetes schemas on the base and on every kustomize-built overlay, and
what a platform team checks: security contexts, probes, resources, secrets by reference, images
by version, KEDA capped at the partition count, Strimzi topics matching deploy/topics.tsv.

KEDA and Strimzi resources (CRDs) have no schema offline here: kubernetes-validate skips them;
the tests below check the fields this service relies on instead."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BIN = Path(sys.executable).parent
# The oldest Kubernetes still commonly run by managed offerings, and the newest schema shipped.
VERSIONS = ["1.30.0", kubernetes_validate.utils.latest_version()]
CUSTOM_KINDS = {"ScaledObject", "TriggerAuthentication", "KafkaTopic"}
BUILDS = ["base", "overlays/dev", "overlays/strimzi"]


def kustomize(path: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(_built(path)) if d]


@functools.cache
def _built(path: str) -> str:
    return subprocess.run(
        [str(BIN / "kubectl"), "kustomize", str(K8S / path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def base_files() -> list[Path]:
    return sorted(p for p in (K8S / "base").glob("*.yaml") if p.name != "kustomization.yaml")


def deployments(build: str = "base") -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in kustomize(build) if d["kind"] == "Deployment"}


def validate(resource: dict[str, Any], version: str) -> None:
    if resource["kind"] in CUSTOM_KINDS:
        return
    kubernetes_validate.validate(resource, version, strict=True)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", base_files(), ids=lambda p: p.name)
def test_every_base_manifest_passes_the_strict_kubernetes_schema(path: Path, version: str) -> None:
    for resource in yaml.safe_load_all(path.read_text()):
        validate(resource, version)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("build", BUILDS)
def test_the_kustomize_built_output_passes_the_strict_kubernetes_schema(
    build: str, version: str
) -> None:
    for resource in kustomize(build):
        validate(resource, version)


def test_strict_validation_would_catch_a_misplaced_field() -> None:
    api = deployments()["loyalty-api"]
    api["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFilesystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(api, VERSIONS[-1], strict=True)


@pytest.mark.parametrize("build", BUILDS)
def test_every_container_is_locked_down_and_runs_a_versioned_image(build: str) -> None:
    for name, deployment in deployments(build).items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"] + pod.get("initContainers", []):
            where = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert {"requests", "limits"} <= container["resources"].keys(), where
            repository, _, tag = container["image"].rpartition(":")
            assert repository and tag and tag != "latest", where


def test_each_role_has_its_own_deployment_with_probes_on_the_port_it_serves() -> None:
    found = deployments()
    assert set(found) == {"loyalty-api", "loyalty-consumer"}
    for name, role, port in (
        ("loyalty-api", "api", "http"),
        ("loyalty-consumer", "consumer", "management"),
    ):
        (container,) = found[name]["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["serve", "--role", role]
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port}


def test_every_pod_migrates_before_it_serves_and_the_step_is_idempotent() -> None:
    for name, deployment in deployments().items():
        (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
        assert init["args"] == ["migrate"], name


def test_secrets_are_referenced_by_key_and_only_the_dev_overlay_makes_one() -> None:
    assert [r for r in kustomize("base") if r["kind"] == "Secret"] == []
    assert [r for r in kustomize("overlays/strimzi") if r["kind"] == "Secret"] == []
    for deployment in deployments().values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for variable in container.get("env", []):
                assert "value" not in variable, f"{variable['name']} inlined"
    (secret,) = [r for r in kustomize("overlays/dev") if r["kind"] == "Secret"]
    referenced = {
        v["valueFrom"]["secretKeyRef"]["name"]
        for d in deployments("overlays/dev").values()
        for c in d["spec"]["template"]["spec"]["containers"]
        for v in c.get("env", [])
    }
    assert referenced == {secret["metadata"]["name"]}


def test_the_api_has_a_service_and_both_roles_a_disruption_budget() -> None:
    resources = kustomize("base")
    (service,) = [r for r in resources if r["kind"] == "Service"]
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "loyalty-api"}
    budgets = {
        r["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for r in resources
        if r["kind"] == "PodDisruptionBudget"
    }
    assert budgets == {"loyalty-api", "loyalty-consumer"}


def _topics() -> Any:
    spec = importlib.util.spec_from_file_location("deploy_topics", ROOT / "deploy" / "topics.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_keda_scales_consumers_on_group_lag_up_to_the_inbound_partition_count() -> None:
    (scaled,) = [r for r in kustomize("base") if r["kind"] == "ScaledObject"]
    inbound = [t.partitions for t in _topics().read_topics() if t.role == "inbound"]
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["spec"]["scaleTargetRef"]["name"] == "loyalty-consumer"
    assert scaled["spec"]["maxReplicaCount"] == min(inbound) == max(inbound)
    (trigger,) = scaled["spec"]["triggers"]
    config = yaml.safe_load((K8S / "base" / "config.yaml").read_text())["data"]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == config["LOYALTY_CONSUMER_GROUP"]
    assert int(trigger["metadata"]["lagThreshold"]) > 0


def test_the_strimzi_overlay_holds_every_topic_as_generated_from_topics_tsv() -> None:
    module = _topics()
    committed = (K8S / "overlays" / "strimzi" / "topics.yaml").read_text()
    assert committed == module.strimzi_topics(module.read_topics()), (
        "run: python deploy/topics.py > deploy/k8s/overlays/strimzi/topics.yaml"
    )
    built = [r for r in kustomize("overlays/strimzi") if r["kind"] == "KafkaTopic"]
    assert {r["spec"]["topicName"] for r in built} == {t.name for t in module.read_topics()}
    for topic in built:
        assert topic["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == module.STRIMZI_CLUSTER
