"""A Python client generated from the running service's OpenAPI document (openapi-python-client,
in its own virtualenv: it pins typer below ours) runs the README's "Try it" walk-through
against the real service process on PostgreSQL and the broker: programme, enrolment, a sale
event published twice, balance, preview, a redemption retried with the same key."""

from __future__ import annotations

import json
import os
import re
import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.embedded.postgres import free_port
from adapters.http.auth import mint_token
from service.entrypoints.settings import Settings
from tests.support.process import LOYALTY, serving, settings_env

pytestmark = [pytest.mark.contract, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
WALKTHROUGH = ROOT / "tests" / "support" / "generated_client_walkthrough.py"
SECRET = "generated-client-secret-long-enough-32b"
SHOP = "shop-1"
GENERATOR = "openapi-python-client"


def try_it_sale() -> str:
    """The sale message of the README's "Try it" as written (the walk-through fills its date)."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Try it") :]
    body = re.search(r"cat > sale\.json <<JSON\n(.*?)\nJSON\n", section, re.S)
    assert body is not None
    return body.group(1)


@pytest.fixture(scope="module")
def settings(contract_settings: Settings) -> Settings:
    return contract_settings.model_copy(update={"http_port": free_port(), "jwt_secret": SECRET})


@pytest.fixture(scope="module")
def running(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(settings, tmp_path_factory.mktemp("generated-client") / "service.log") as base:
        yield base


def generated_client(document: Path, where: Path) -> Path:
    """A virtualenv with the generator, and the package it generated; the python to run it."""
    venv.create(where / "venv", with_pip=True)
    python = where / "venv" / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", GENERATOR], check=True)
    subprocess.run(
        [where / "venv" / "bin" / GENERATOR, "generate", "--path", document, "--meta", "none",
         "--output-path", where / "loyalty_client"],
        check=True, cwd=where, capture_output=True,
    )  # fmt: skip
    assert (where / "loyalty_client" / "api" / "redemptions" / "redeem_points.py").exists()
    return python


def test_the_try_it_walkthrough_runs_through_a_client_generated_from_the_document(
    running: str, settings: Settings, tmp_path: Path
) -> None:
    document = tmp_path / "openapi.json"
    document.write_bytes(httpx.get(f"{running}/openapi.json", timeout=10).content)
    python = generated_client(document, tmp_path)
    sale = tmp_path / "sale.json"
    sale.write_text(try_it_sale())
    env = {
        **os.environ,
        **settings_env(settings),
        "PYTHONPATH": str(tmp_path),
        "API": running,
        "ADMIN": mint_token(SECRET, SHOP, "admin", "dev-user"),
        "CASHIER": mint_token(SECRET, SHOP, "cashier", "till-user", terminal_id="till-1"),
        "LOYALTY": LOYALTY,
        "SALE": str(sale),
        "SALE_TOPIC": settings.topic_sale_completed,
    }
    done = subprocess.run(
        [python, WALKTHROUGH], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "programme": "ProgrammeOut",
        "enrolled": 201,
        "balance": 259,
        "preview": [200, "2.00", 59],
        "redeemed": [200, "2.00", "captured", True],
        "balance_after": 59,
    }
