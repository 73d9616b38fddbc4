"""The roles start from the settings the manifests set: every LOYALTY_* name that compose,
Kubernetes or the image sets is a Settings field, and those values parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from service.entrypoints.runtime import Role
from service.entrypoints.settings import Settings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
MANIFESTS = [
    DEPLOY / "Dockerfile",
    DEPLOY / "compose.yaml",
    DEPLOY / "healthcheck.py",
    *sorted((DEPLOY / "k8s").rglob("*.yaml")),
]
# Read by adapters.postgres.migrations before any Settings exist (the image sets it).
NOT_SETTINGS = {"LOYALTY_MIGRATIONS_DIR", "LOYALTY_VERSION"}  # LOYALTY_VERSION: compose's tag


def names_in_manifests() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in MANIFESTS:
        for name in re.findall(r"\bLOYALTY_[A-Z0-9_]+\b", path.read_text()):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def settings_names() -> set[str]:
    return {f"LOYALTY_{field.upper()}" for field in Settings.model_fields}


def test_every_loyalty_name_the_manifests_set_is_a_setting() -> None:
    unknown = {
        name: where
        for name, where in names_in_manifests().items()
        if name not in settings_names() | NOT_SETTINGS
    }
    assert unknown == {}


def test_the_manifests_name_settings_at_all() -> None:
    assert {"LOYALTY_DATABASE_URL", "LOYALTY_JWT_SECRET", "LOYALTY_HTTP_HOST"} <= set(
        names_in_manifests()
    )


def _compose_environment() -> dict[str, str]:
    document = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return {k: str(v) for k, v in document["services"]["api"]["environment"].items()}


def _kubernetes_environment() -> dict[str, str]:
    config = yaml.safe_load((DEPLOY / "k8s" / "base" / "config.yaml").read_text())["data"]
    secrets = (DEPLOY / "k8s" / "overlays" / "dev" / "dev-secrets.env").read_text().split()
    by_key = dict(line.split("=", 1) for line in secrets)
    return {
        **config,
        "LOYALTY_DATABASE_URL": by_key["database-url"],
        "LOYALTY_JWT_SECRET": by_key["jwt-secret"],
    }


@pytest.mark.parametrize(
    "environment", [_compose_environment, _kubernetes_environment], ids=["compose", "k8s"]
)
def test_the_values_the_manifests_set_parse_as_settings_and_bind_every_interface(
    environment: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = environment()  # type: ignore[operator]
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.http_host == "0.0.0.0"
    assert settings.http_port == 8080
    assert settings.jwt_secret


def test_every_role_the_manifests_start_exists() -> None:
    roles = set()
    for path in (DEPLOY / "compose.yaml", *(DEPLOY / "k8s" / "base").glob("*.yaml")):
        roles |= set(re.findall(r'"serve", "--role", "(\w+)"', path.read_text()))
    assert roles == {"api", "consumer"}
    assert roles <= {r.value for r in Role}
