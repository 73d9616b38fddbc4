"""``loyalty dlq list`` on a real broker, run as cron runs it (stderr not a terminal): every
letter, one JSON array on stdout under --json, no progress drawn anywhere."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaProducer

from service.entrypoints.settings import Settings
from tests.support.process import LOYALTY

pytestmark = pytest.mark.contract

REASONS = ("invalid_json", "unknown_business", "schema")


async def dead_letters(settings: Settings) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=False
    )
    await producer.start()
    try:
        for n, reason in enumerate(REASONS):
            headers = [("x-dlq-reason", reason.encode()), ("x-origin-offset", str(n).encode())]
            value = json.dumps({"event_id": f"e-{n}"}).encode()
            await producer.send_and_wait(
                settings.topic_sale_completed + settings.dead_letter_suffix, value, headers=headers
            )
    finally:
        await producer.stop()


async def loyalty(settings: Settings, *args: str) -> tuple[int, str, str]:
    run = await asyncio.create_subprocess_exec(
        LOYALTY,
        *args,
        env=settings.as_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(run.communicate(), 90)
    assert run.returncode is not None
    return run.returncode, out.decode(), err.decode()


async def test_dlq_list_gives_every_letter_as_one_json_array_and_draws_no_progress(
    contract_settings: Settings,
) -> None:
    await dead_letters(contract_settings)
    topic = contract_settings.topic_sale_completed

    code, out, err = await loyalty(contract_settings, "dlq", "list", "--topic", topic, "--json")
    plain_code, plain, _ = await loyalty(contract_settings, "dlq", "list", "--topic", topic)

    assert code == 0, err
    letters = json.loads(out)
    assert sorted(v["reason"] for v in letters) == sorted(REASONS)
    assert sorted(v["event_id"] for v in letters) == ["e-0", "e-1", "e-2"]
    assert "reading" not in err  # the progress display stays off when stderr is a pipe
    assert plain_code == 0
    assert plain.splitlines()[-1] == "3 dead letter(s)"
