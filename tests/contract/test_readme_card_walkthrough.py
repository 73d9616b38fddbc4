"""The README's "A loyalty card, step by step", run as written: the same request bodies and
message files (read from that section), in the same order, through the real service process
on PostgreSQL and the broker, giving the numbers the section shows."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from subprocess import PIPE, STDOUT
from typing import Any

import httpx
import pytest

from adapters.embedded.postgres import free_port
from adapters.http.auth import mint_token
from service.entrypoints.settings import Settings
from tests.support.kafka import eventually, produce
from tests.support.process import LOYALTY, serving

pytestmark = [pytest.mark.contract, pytest.mark.timeout(180)]

README = Path(__file__).resolve().parents[2] / "README.md"
SECRET = "readme-walkthrough-secret-long-enough-32"
SHOP = "shop-1"
Json = dict[str, Any]


def section() -> str:
    text = README.read_text()
    start = text.index("## A loyalty card, step by step")
    return text[start : text.index("\n## ", start + 1)]


def request_bodies(text: str) -> list[Json]:
    """Every `-d '...'` body, in the order the section sends them."""
    return [json.loads(body) for body in re.findall(r"-d '(\{.*?\})'", text, re.S)]


def message_files(text: str, now: str) -> dict[str, Any]:
    """Each `cat > FILE <<JSON` of the section, its `$(date ...)` as the shell would fill it."""
    files = re.findall(r"cat > (\S+) <<JSON\n(.*?)\nJSON\n", text, re.S)
    return {name: json.loads(body.replace("$(date -u +%FT%TZ)", now)) for name, body in files}


def published(text: str) -> list[tuple[str, str, str]]:
    """(topic, file, key) of each `loyalty publish`, in order."""
    return re.findall(r"\.venv/bin/loyalty publish (\S+) (\S+) --key (\S+)\n", text)


def shown_history(text: str) -> list[tuple[Any, ...]]:
    """The history table the section shows: seq, kind, sale or return, points, balance after,
    stamps, stamps after, categories, reward, and whether a tablet acted."""
    rows = re.findall(
        r"^#=> +(\d+) (\w+) +(\S+) +(-?\d+) +(-?\d+) +(-?\d+) +(-?\d+) +(.*)$", text, re.M
    )
    table = []
    for seq, kind, ref, points, balance, stamps, card, rest in rows:
        categories, reward, device = rest.split()
        table.append(
            (int(seq), kind, ref if ref.startswith(("s-", "r-")) else "*", int(points),
             int(balance), int(stamps), int(card), categories, reward, device != "-")
        )  # fmt: skip
    return table


def bearer(token: str) -> Json:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(mint_token(SECRET, SHOP, "admin", "dev-user"))


@pytest.fixture(scope="module")
def settings(contract_settings: Settings) -> Settings:
    return contract_settings.model_copy(update={"http_port": free_port(), "jwt_secret": SECRET})


@pytest.fixture(scope="module")
def running(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(settings, tmp_path_factory.mktemp("walkthrough") / "service.log") as base:
        yield base


@pytest.fixture(scope="module")
async def client(running: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=running, timeout=10) as http:
        yield http


async def test_the_readme_card_walkthrough_gives_the_numbers_it_shows(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    text = section()
    programme, reward, device, enrolment, redeem, closing = request_bodies(text)
    files = message_files(text, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    topics = {
        "sale.completed": settings.topic_sale_completed,
        "customer-return.created": settings.topic_customer_return_created,
    }
    sends = iter(published(text))

    async def publish_next() -> None:
        topic, name, key = next(sends)
        content = files[name]
        messages = content if isinstance(content, list) else [content]
        payloads = [json.dumps(m).encode() for m in messages]
        await produce(settings.kafka_bootstrap_servers, topics[topic], payloads, key.encode())

    set_up = await client.put("/v1/program", json=programme, headers=ADMIN)
    rule = set_up.json()["active_rule"]
    assert set_up.status_code == 200, set_up.text
    assert rule["item_rules"]["category_multipliers"] == {"bakery": "2"}
    assert rule["item_rules"]["excluded_categories"] == ["tobacco"]
    assert rule["stamp_card"] == {
        "target": 10,
        "basis": "item",
        "categories": ["coffee"],
        "skus": [],
        "min_spend": None,
        "stamps_per_award": 1,
        "reward_id": "free-coffee",
    }
    made = await client.put("/v1/rewards/free-coffee", json=reward, headers=ADMIN)
    assert (made.json()["stamps_cost"], made.json()["stock"]) == (10, None)
    paired = (await client.post("/v1/devices", json=device, headers=ADMIN)).json()
    tablet, device_id = bearer(paired["token"]), paired["device_id"]
    assert (paired["paired_by"], paired["terminal_id"]) == ("dev-user", "till-1")

    enrolled = await client.post("/v1/accounts", json=enrolment, headers=tablet)
    account = enrolled.json()["account_id"]
    assert enrolled.status_code == 201
    assert _card(enrolled.json()) == (0, 0, 10, 10)

    async def card() -> tuple[int, int, int | None, int | None]:
        return _card((await client.get(f"/v1/accounts/{account}", headers=tablet)).json())

    await publish_next()  # the basket: coffee, a loaf doubled, cigarettes earning nothing
    assert await eventually(card, lambda c: c[0] != 0) == (15, 2, 10, 8)
    await publish_next()  # the loaf and the cigarettes back
    assert await eventually(card, lambda c: c[0] != 15) == (6, 2, 10, 8)
    await publish_next()  # two more visits fill the card
    assert await eventually(card, lambda c: c[1] == 10) == (33, 10, 10, 0)

    quote = (await client.post(f"/v1/accounts/{account}/stamp-card/preview", headers=tablet)).json()
    assert (quote["points_to_take"], quote["stamps_to_take"], quote["blocked"]) == (0, 10, None)
    keyed = {**tablet, "Idempotency-Key": "till-1-coffee-1"}
    url = f"/v1/accounts/{account}/stamp-card/redeem"
    first = await client.post(url, json=redeem, headers=keyed)
    again = await client.post(url, json=redeem, headers=keyed)
    took = first.json()
    assert first.status_code == 201
    assert (took["reward_id"], took["points"], took["stamps"], took["status"]) == (
        "free-coffee",
        0,
        10,
        "captured",
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["redemption_id"] == took["redemption_id"]
    assert await card() == (33, 0, 10, 10)

    history = await client.get(f"/v1/accounts/{account}/transactions?limit=20", headers=tablet)
    rows = [_row(e, device_id) for e in reversed(history.json()["entries"])]
    assert rows == shown_history(text)

    revoked = await client.delete(f"/v1/devices/{device_id}", headers=ADMIN)
    refused = await client.get(f"/v1/accounts/{account}", headers=tablet)
    assert revoked.json()["active"] is False
    assert (refused.status_code, refused.json()["code"]) == (401, "device_revoked")
    closed = await client.post(f"/v1/accounts/{account}/close", json=closing, headers=ADMIN)
    assert (closed.json()["status"], closed.json()["balance"], closed.json()["stamps"]) == (
        "closed",
        0,
        0,
    )
    last = await client.get(f"/v1/accounts/{account}/transactions?limit=1", headers=ADMIN)
    [closure] = last.json()["entries"]
    assert (closure["kind"], closure["points"], closure["balance_after"]) == ("closure", -33, 0)
    verify = await asyncio.create_subprocess_exec(
        LOYALTY, "verify", "--business", SHOP, env=settings.as_env(), stdout=PIPE, stderr=STDOUT
    )
    said = (await asyncio.wait_for(verify.communicate(), 60))[0].decode()
    assert verify.returncode == 0, said
    assert "checked 10 entries over 1 accounts: 0 breach(es)" in said


def _card(view: Json) -> tuple[int, int, int | None, int | None]:
    return (view["balance"], view["stamps"], view["stamp_target"], view["stamps_to_go"])


def _row(entry: Json, device_id: str) -> tuple[Any, ...]:
    ref = entry["source_ref"]
    return (
        entry["seq"],
        entry["kind"],
        ref if entry["source"] in ("sale", "return") else "*",
        entry["points"],
        entry["balance_after"],
        entry["stamps"],
        entry["stamps_balance_after"],
        ",".join(entry["category_ids"]) or "-",
        entry["reward_id"] or "-",
        entry["device_id"] == device_id,
    )
