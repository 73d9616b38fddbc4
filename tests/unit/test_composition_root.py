"""The container is the one composition root: each role builds only its own parts, and the
broker starts only after the consumer has subscribed (faststream polls only for subscribers
registered before start)."""

from __future__ import annotations

from typing import Any

import pytest
from dependency_injector import providers

from service.entrypoints.containers import Container, container_for
from service.entrypoints.resources import opened
from service.entrypoints.runtime import Role
from service.entrypoints.settings import Settings

pytestmark = pytest.mark.unit


class RecordingBroker:
    def __init__(self, steps: list[str]) -> None:
        self.steps = steps

    async def start(self) -> None:
        self.steps.append("broker started")

    async def stop(self) -> None:
        self.steps.append("broker stopped")


def wired(role: Role, steps: list[str], **settings: Any) -> Container:
    # mypy sees only the fields in Settings' signature, not pydantic-settings' _env_file
    container = container_for(Settings(_env_file=None, **settings), role)  # type: ignore[call-arg]
    container.broker.override(providers.Object(RecordingBroker(steps)))
    container.pool.override(providers.Object(object()))  # nothing here queries it

    def subscribe() -> str:
        steps.append("consumer subscribed")
        return "consumer"

    container.event_consumer.override(providers.Singleton(subscribe))
    return container


@pytest.mark.parametrize("role", [Role.ALL, Role.CONSUMER])
async def test_a_consuming_process_subscribes_its_consumer_before_the_broker_starts(
    role: Role,
) -> None:
    steps: list[str] = []
    container = wired(role, steps, jwt_secret="x" * 32)

    async with opened(container):
        assert steps == ["consumer subscribed", "broker started"]

    assert steps[-1] == "broker stopped"


async def test_an_api_process_never_connects_to_the_broker_and_builds_the_api() -> None:
    # Redemption needs only PostgreSQL: a Kafka outage must not stop an API process starting.
    steps: list[str] = []
    container = wired(Role.API, steps, jwt_secret="x" * 32)

    async with opened(container):
        assert steps == []
        assert container.consuming() is None
        assert container.api() is container.http_app()
        assert container.management() is None


def test_a_consumer_process_needs_no_token_key_but_an_api_process_does() -> None:
    consumer = wired(Role.CONSUMER, [])
    api = wired(Role.API, [])

    assert consumer.api() is None
    with pytest.raises(RuntimeError, match="LOYALTY_JWT_SECRET"):
        api.api()
