"""The README's "Go-live" import, lookup, erasure and merge steps run as written: its CSV files,
request bodies, sale file and `loyalty` commands (read from that section), in order, against the
real API in process and the real CLI on PostgreSQL, giving the answers the section shows. The
sale the section publishes is applied through the same parser and use case the consumer runs."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.kafka.parsing import Rejection, parse_event
from adapters.postgres.erasure import PostgresErasure
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from service.entrypoints.cli import app as cli
from service.entrypoints.containers import Container
from service.use_cases.erasure import Erasures
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.integration.http_client import SECRET, auth
from tests.support import readme_sections as readme

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

TEXT = readme.section("Go-live")
ADMIN, CASHIER = auth("shop-1", "admin"), auth("shop-1")
Json = dict[str, Any]


@pytest.fixture
async def api(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    clock = FakeClock(datetime.now(UTC))
    container = Container()
    container.uow_factory.override(PostgresUnitOfWorkFactory(pool))
    container.clock.override(clock)
    app = create_http_app(
        container.operations(), FakeHealth({"database": True}), AuthSettings(hs256_secret=SECRET),
        clock=clock, registry=CollectorRegistry(), erasures=Erasures(PostgresErasure(pool), clock),
    )  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


def steps() -> list[tuple[str, list[str]]]:
    """Each command or request line of the section with the `#=>` lines that follow it."""
    found: list[tuple[str, list[str]]] = []
    for line in TEXT.splitlines():
        if line.startswith("#=> ") and found:
            found[-1][1].append(line[4:])
        elif line.startswith((".venv/bin/loyalty ", "curl ", "GUS=")):
            found.append((line, []))
    return found


def shown(start: str) -> list[list[str]]:
    """The answers shown after each line beginning ``start``, in order."""
    return [answer for line, answer in steps() if line.startswith(start)]


def fields(answer: list[str]) -> dict[str, Any]:
    """The `"name":value` pairs a trimmed JSON answer shows whole (strings, numbers, booleans),
    but for the ids each run makes anew (`cust_...`, `erased_...`)."""
    pairs = re.findall(r'"(\w+)": ?("[^".]*"|-?\d+|true|false|null)[,}]', " ".join(answer))
    values = {name: json.loads(value) for name, value in pairs}
    return {k: v for k, v in values.items() if not str(v).startswith(("cust_", "erased_"))}


async def loyalty(database_url: str, start: str, files: Path) -> list[tuple[str, int]]:
    """Run every `loyalty` command of the section beginning ``start``; (output, exit code)."""
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    said = []
    for line, _ in steps():
        if line.startswith(f".venv/bin/loyalty {start}"):
            args = [a if not a.endswith(".csv") else str(files / a) for a in shlex.split(line)[1:]]
            run = await asyncio.to_thread(CliRunner().invoke, cli, args, env=env)
            said.append((run.output, run.exit_code))
    return said


async def test_the_readme_go_live_steps_give_the_answers_it_shows(
    api: httpx.AsyncClient, database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    bodies = iter(readme.request_bodies(TEXT))
    for name, content in re.findall(r"cat > (\S+) <<CSV\n(.*?)\nCSV\n", TEXT, re.S):
        (tmp_path / name).write_text(content + "\n")
    programme = await api.put("/v1/program", json=next(bodies), headers=ADMIN)
    assert programme.status_code == 200, programme.text

    # Import: one row refused with its line and reason, then the balances, then nothing to do.
    [(accounts, code)] = await loyalty(database_url, "import accounts", tmp_path)
    assert code == 1
    assert sorted(accounts.strip().splitlines()) == sorted(shown(".venv/bin/loyalty import acc")[0])
    runs = await loyalty(database_url, "import balances", tmp_path)
    assert [(out.strip(), code) for out, code in runs] == [
        (answer[0], 0) for answer in shown(".venv/bin/loyalty import balances")
    ]

    # Lookup by phone and card as the till types them.
    for line, said in steps():
        if match := re.match(r'curl -s "\$API(/v1/accounts\?[^"]+)"', line):
            found = await api.get(match[1], headers=CASHIER)
            assert found.status_code == 200, found.text
            assert fields(said).items() <= found.json().items(), line

    # Inline enrolment by phone, a card added, a sale naming only that card.
    inline = await api.post("/v1/accounts", json=next(bodies), headers=CASHIER)
    assert inline.status_code == 201, inline.text
    gus = inline.json()["account_id"]
    assert inline.json()["customer_id"].startswith("cust_")
    card = await api.post(f"/v1/accounts/{gus}/identifiers", json=next(bodies), headers=CASHIER)
    assert card.status_code == 200, card.text
    [after_card] = shown("curl -s -X POST $API/v1/accounts/$GUS/identifiers")
    assert json.dumps(card.json()["identifiers"], separators=(",", ":")) in after_card[0]
    sale = readme.file_texts(TEXT)["sale-g1.json"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = sale.replace("$(date -u +%FT%TZ)", stamp).encode()
    event = parse_event(EventKind.SALE_COMPLETED, raw)
    assert not isinstance(event, Rejection), event
    await ApplyEventBatch(PostgresUnitOfWorkFactory(pool), FakeClock(datetime.now(UTC)))([event])
    [balance] = re.findall(r"# Gus's balance: (\d+)", TEXT)
    assert (await api.get(f"/v1/accounts/{gus}", headers=CASHIER)).json()["balance"] == int(balance)

    # Erasure: an opaque id kept, no re-seal; a phone-made id replaced and its chain re-sealed.
    [(erased, code)] = await loyalty(database_url, "erase ", tmp_path)
    assert code == 0, erased
    assert fields(shown(".venv/bin/loyalty erase ")[0]).items() <= json.loads(erased).items()
    legacy = next(bodies)
    assert (await api.post("/v1/accounts", json=legacy, headers=CASHIER)).status_code == 201
    [request] = [line for line, _ in steps() if "/erasure" in line]
    path = re.search(r'"\$API(\S+)"', request)
    assert path is not None
    answer = await api.post(path[1], headers=ADMIN)
    assert answer.status_code == 200, answer.text
    [erasure_shown] = shown(request)
    assert fields(erasure_shown).items() <= answer.json().items()
    assert answer.json()["customer_id"].startswith("erased_")
    assert (
        await pool.fetchval("SELECT entries FROM chain_reseals")
        == answer.json()["resealed_entries"]
    )
    [(verified, code)] = await loyalty(database_url, "verify", tmp_path)
    assert (verified.strip(), code) == (shown(".venv/bin/loyalty verify")[0][0], 0)


async def test_the_readme_go_live_merge_gives_the_answers_it_shows(api: httpx.AsyncClient) -> None:
    merges = TEXT[TEXT.index("### Merges") :]
    programme = await api.put("/v1/program", json=readme.request_bodies(TEXT)[0], headers=ADMIN)
    assert programme.status_code == 200, programme.text
    enrolled = [
        await api.post("/v1/accounts", json=body, headers=CASHIER)
        for body in readme.request_bodies(merges)
    ]
    assert [r.status_code for r in enrolled] == [201, 201], [r.text for r in enrolled]
    survivor, merged = (r.json()["account_id"] for r in enrolled)

    answer = await api.post(
        f"/v1/accounts/{survivor}/merge",
        json={"from_account_id": merged},
        headers=auth("shop-1", "manager"),
    )

    assert answer.status_code == 200, answer.text
    [merge_shown] = shown("curl -s -X POST $API/v1/accounts/$M1/merge")
    assert fields(merge_shown).items() <= answer.json().items()
    after = await api.get(f"/v1/accounts/{survivor}", headers=CASHIER)
    [after_shown] = shown('curl -s "$API/v1/accounts/$M1"')
    assert after.json()["customer_id"] == "m-1"
    held = after.json()["identifiers"]  # both accounts' identifiers, as the section shows
    assert len(held) == "".join(after_shown).count('"kind":')
    assert all(json.dumps(i, separators=(",", ":")) in "".join(after_shown) for i in held)
