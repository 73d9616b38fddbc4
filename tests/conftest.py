from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings

from tests.support.hypothesis_constants import drop_local_constants
from tests.support.servers import kafka_bootstrap_servers, postgres_admin_url
from tests.support.settings import fresh_database
from tests.support.settings import with_database as with_database  # test modules import it here

# Shared machines are noisy: a slow example is not a failing one. `make test` (and CI) runs
# derandomized, so a run is reproducible and never flakes; long random searches are for your
# own runs: LOYALTY_HYPOTHESIS_PROFILE=explore make test.
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
hypothesis_settings.register_profile(
    "explore", deadline=None, print_blob=True, derandomize=False, max_examples=1000
)
hypothesis_settings.load_profile(os.environ.get("LOYALTY_HYPOTHESIS_PROFILE", "ci"))
if hypothesis_settings().derandomize:
    # Derandomized, a draw must depend on the seed alone: Hypothesis also draws from the literals
    # of every module imported so far, which differ between workers, runs and commits.
    drop_local_constants()

TEMPLATE = "loyalty_test_template"
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_admin_url() as url:
        yield url


@pytest.fixture(scope="session")
async def migrated_template(postgres_url: str) -> str:
    await fresh_database(postgres_url, TEMPLATE)
    return TEMPLATE


@pytest.fixture
async def database_url(postgres_url: str, migrated_template: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    name = f"loyalty_test_{next(_database_numbers)}"
    yield await fresh_database(postgres_url, name, template=migrated_template)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    with kafka_bootstrap_servers() as servers:
        yield servers
