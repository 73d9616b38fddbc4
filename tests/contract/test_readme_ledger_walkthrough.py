"""The README's "Levels, referrals, returns of spent points, cancellations, limits and reports,
step by step", run as written: the same request bodies, message files and commands (read from
that section), in the same order, through the real service process on PostgreSQL and the
broker, giving the balances, levels, bonuses, points given back, limits, history and report
figures the section shows."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from subprocess import PIPE, STDOUT
from typing import Any

import httpx
import pytest

from adapters.embedded.postgres import free_port
from adapters.http.auth import mint_token
from service.entrypoints.settings import Settings
from tests.support import readme_sections as readme
from tests.support.kafka import eventually, produce
from tests.support.process import LOYALTY, serving

pytestmark = [pytest.mark.contract, pytest.mark.timeout(180)]

TITLE = (
    "Levels, referrals, returns of spent points, cancellations, limits and reports, step by step"
)
SECRET = "readme-ledger-walkthrough-secret-32-chars"
SHOP = "shop-1"
Json = dict[str, Any]


def bearer(token: str) -> Json:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(mint_token(SECRET, SHOP, "admin", "dev-user"))
MANAGER = bearer(mint_token(SECRET, SHOP, "manager", "dev-user"))
CASHIER = bearer(mint_token(SECRET, SHOP, "cashier", "dev-user", terminal_id="till-1"))


@pytest.fixture(scope="module")
def settings(contract_settings: Settings) -> Settings:
    return contract_settings.model_copy(update={"http_port": free_port(), "jwt_secret": SECRET})


@pytest.fixture(scope="module")
def running(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(settings, tmp_path_factory.mktemp("ledger-walkthrough") / "service.log") as base:
        yield base


@pytest.fixture(scope="module")
async def client(running: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=running, timeout=10) as http:
        yield http


class Walk:
    """The section's steps against the running service, remembering what it answered."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client, self.settings = client, settings
        self.text = readme.section(TITLE)
        self.bodies = iter(readme.request_bodies(self.text))
        self.files = readme.file_texts(self.text)
        self.sends = iter(readme.published(self.text))
        self.values = {"$TODAY": datetime.now(UTC).date().isoformat()}
        self.written = datetime.min.replace(tzinfo=UTC)
        self.balances: list[int] = []
        self.limits_left: list[int] = []

    def body(self) -> Json:
        return next(self.bodies)

    async def file(self, name: str) -> Any:
        """The file as the shell writes it, `$(date ...)` the second it is written; each file
        a second after the one before, as typing the commands gives (lots that expire at the
        same second would be taken in another order than the section's)."""
        now = datetime.now(UTC).replace(microsecond=0)
        if now <= self.written:
            now = self.written + timedelta(seconds=1)
            await asyncio.sleep((now - datetime.now(UTC)).total_seconds())
        self.written = now
        self.values["$(date -u +%FT%TZ)"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        return readme.filled(self.files[name], self.values)

    def saw(self, answer: Json) -> Json:
        """Note the balance and limit left an answer shows (its quote's included)."""
        for part in (answer, answer.get("quote") or {}):
            if "balance" in part:
                self.balances.append(part["balance"])
            if "limit_left" in part:
                self.limits_left.append(part["limit_left"])
        return answer

    async def publish_next(self, account: str, wait_for: str) -> None:
        """Publish the section's next message file and wait until ``wait_for`` (a sale, return
        or cancellation reference) is on the account's ledger."""
        topic, name, key = next(self.sends)
        content = await self.file(name)
        payloads = [
            json.dumps(m).encode() for m in (content if isinstance(content, list) else [content])
        ]
        topic = self.settings.model_dump()["topic_" + topic.replace(".", "_").replace("-", "_")]
        await produce(self.settings.kafka_bootstrap_servers, topic, payloads, key.encode())

        async def refs() -> list[str]:
            page = await self.get(f"/v1/accounts/{account}/transactions?limit=5")
            return [entry["source_ref"] for entry in page["entries"]]

        await eventually(refs, lambda seen: wait_for in seen)

    async def get(self, url: str, headers: Json = CASHIER) -> Json:
        answer = await self.client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        found: Json = answer.json()
        return found

    async def account(self, account: str) -> Json:
        return self.saw(await self.get(f"/v1/accounts/{account}"))

    async def loyalty(self, start: str) -> str:
        """Run the section's `loyalty` command beginning ``start``; its output."""
        args = readme.command(self.text, start, self.values)
        run = await asyncio.create_subprocess_exec(
            LOYALTY, *args, env=self.settings.as_env(), stdout=PIPE, stderr=STDOUT
        )
        said = (await asyncio.wait_for(run.communicate(), 60))[0].decode()
        assert run.returncode == 0, said
        return said

    def shown(self, start: str) -> list[str]:
        return readme.shown_after(self.text, start)


def next_monday(day: datetime) -> str:
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return (start + timedelta(days=7 - start.weekday())).isoformat()


async def test_the_readme_ledger_walkthrough_gives_the_numbers_it_shows(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    walk = Walk(client, settings)
    text = walk.text

    set_up = await client.put("/v1/program", json=walk.body(), headers=ADMIN)
    assert set_up.status_code == 200, set_up.text
    shown_programme = "".join(walk.shown('  "redeem_limit"')).replace(" ", "")
    rule = set_up.json()["active_rule"]
    for part in (rule["tiers"], rule["referral"], set_up.json()["redeem_limit"]):
        assert json.dumps(part, separators=(",", ":")).replace(" ", "") in shown_programme

    enrolled = await client.post("/v1/accounts", json=walk.body(), headers=CASHIER)
    assert enrolled.status_code == 201, enrolled.text
    ben, code = enrolled.json()["account_id"], enrolled.json()["referral_code"]
    levels = [walk.saw(enrolled.json())["level"]]
    walk.values |= {"$BEN": ben, "$CODE": code}

    # Levels: the first sale crosses Silver; the next earns at it; the review moves nobody.
    await walk.publish_next(ben, "s-21")
    levels.append((await walk.account(ben))["level"])
    await walk.publish_next(ben, "s-22")
    for _ in range(2):
        assert (await walk.loyalty("levels review")).strip() == "\n".join(
            walk.shown(".venv/bin/loyalty levels review")
        )

    # Referrals: Ben's code finds him, Cleo names it, an unknown code is refused.
    assert (await walk.get(f"/v1/referrals/{code}"))["account_id"] == ben
    cleo_enrolled = await client.post(
        "/v1/accounts", json=await walk.file("cleo.json"), headers=CASHIER
    )
    cleo = cleo_enrolled.json()["account_id"]
    assert (await walk.account(cleo))["referred_by"] == ben
    refused = await client.post("/v1/accounts", json=walk.body(), headers=CASHIER)
    assert (refused.status_code, refused.json()["code"]) == (422, "referral_code_unknown")
    await walk.publish_next(cleo, "s-32")
    await walk.account(cleo)

    # Spent points: a hold paid for s-23, part of it came back, then the sale was cancelled.
    till = {**CASHIER, "Idempotency-Key": "till-1-0021"}
    held = await client.post(f"/v1/accounts/{ben}/redemptions", json=walk.body(), headers=till)
    assert held.status_code == 201, held.text
    walk.values["$HOLD"] = walk.saw(held.json())["redemption_id"]
    for reference in ("s-23", "r-23", "c-23", "c-23"):
        await walk.publish_next(ben, reference)
        view = await walk.account(ben)
        levels += [view["level"]] if reference == "s-23" else []
    kept = await client.post(f"/v1/redemptions/{walk.values['$HOLD']}/cancel", headers=MANAGER)
    assert (kept.status_code, kept.json()["code"]) == (409, "redemption_not_held")

    # Redeem limits: 250 refused at 200 a week, 150 allowed once a manager raises it to 500.
    preview = f"/v1/accounts/{ben}/redemptions/preview"
    redeem = f"/v1/accounts/{ben}/redemptions"
    blocked = walk.saw((await client.post(preview, json=walk.body(), headers=CASHIER)).json())
    assert blocked["blocked"] == "period_limit"
    over = await client.post(
        redeem, json=walk.body(), headers={**CASHIER, "Idempotency-Key": "till-1-0022"}
    )
    assert (over.status_code, over.json()["code"]) == (422, "period_limit")
    assert over.json()["resets_at"] == next_monday(datetime.now(UTC))
    walk.saw(over.json())
    await walk.loyalty("program set")
    allowed = walk.saw((await client.post(preview, json=walk.body(), headers=CASHIER)).json())
    assert allowed["blocked"] is None
    taken = await client.post(
        redeem, json=walk.body(), headers={**CASHIER, "Idempotency-Key": "till-1-0023"}
    )
    assert (taken.status_code, taken.json()["status"]) == (201, "captured")

    assert walk.balances == readme.shown_numbers(text, "balance")
    assert walk.limits_left == readme.shown_numbers(text, "limit_left")
    assert levels == readme.shown_levels(text)

    # Ben's history, and the same filtered by bucket and kind.
    history = await walk.get(f"/v1/accounts/{ben}/transactions?limit=20")
    assert [_row(e) for e in reversed(history["entries"])] == shown_history(text)
    filtered = await walk.get(f"/v1/accounts/{ben}/transactions?bucket=purchase&bucket=redemption")
    line = " ".join(f"{e['seq']}:{e['kind']}:{e['points']}" for e in filtered["entries"])
    assert [line] == re.findall(r"^#=> (\d+:\w+:-?\d+(?: \d+:\w+:-?\d+)*)$", text, re.M)
    said = await walk.loyalty("account shop-1 ben --bucket")
    assert _statement(said) == _statement("\n".join(walk.shown(".venv/bin/loyalty account")))
    assert (await walk.loyalty("verify")).strip() == walk.shown(".venv/bin/loyalty verify")[0]

    # The reports.
    totals = re.findall(r'"total":(\{[^}]*\})', text)
    expiring = await walk.get("/v1/reports/expiring?within_days=366&limit=2", MANAGER)
    assert [expiring["total"]] == [json.loads(totals[0])]
    referrals = await walk.get(
        f"/v1/reports/referrals?from={walk.values['$TODAY']}&to={walk.values['$TODAY']}", MANAGER
    )
    assert referrals["total"] == json.loads(totals[1])
    earned = {r["customer_id"]: r["points"] for r in referrals["earnings"]}
    assert earned == {
        c: int(p) for c, p in re.findall(r'"customer_id":"(\w+)","points":(\d+)', text)
    }
    moved = (await walk.loyalty("report movements")).split()
    shown = " ".join(walk.shown(".venv/bin/loyalty report movements")).split()
    assert moved == [
        walk.values["$TODAY"] if re.fullmatch(r"\d{4}-\d\d-\d\d", w) else w for w in shown
    ]
    members = json.loads(await walk.loyalty("report levels"))
    assert members == json.loads("\n".join(walk.shown(".venv/bin/loyalty report levels")))


def shown_history(text: str) -> list[tuple[Any, ...]]:
    """Ben's history as the section shows it: seq, kind, points, balance after, source,
    reference (ids as *), bucket and description (ids as *)."""
    rows = re.findall(
        r"^#=> +(\d+) (\w+) +(-?\d+) +(-?\d+)  (\w+) +(\S+) +(\w+) +(.*)$", text, re.M
    )
    return [
        (int(seq), kind, int(points), int(balance), source, _ref(ref), bucket, _ids(description))
        for seq, kind, points, balance, source, ref, bucket, description in rows
    ]


def _row(entry: Json) -> tuple[Any, ...]:
    return (
        entry["seq"],
        entry["kind"],
        entry["points"],
        entry["balance_after"],
        entry["source"],
        _ref(entry["source_ref"]),
        entry["bucket"],
        _ids(entry["description"]),
    )


def _ref(ref: str) -> str:
    return ref if re.fullmatch(r"[src]-\d+", ref) else "*"


def _ids(text: str) -> str:
    return re.sub(r"\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|\b[0-9a-f]{8}\b", "*", text)


def _statement(said: str) -> list[tuple[str, ...]]:
    """The entries `loyalty account` lists: seq, kind, points, balance after, reference."""
    return re.findall(r"#(\d+) +\S+ \S+ (\w+) +([+-]\d+) +-> +(-?\d+) +(\S+)", said)
