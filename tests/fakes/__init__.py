"""Test doubles of the ports, one per port, shared by every test tier (no IO).

``FakeUnitOfWorkFactory`` over a ``FakeStore`` is the in-memory database; the names most
tests need are re-exported here.
"""

from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.fakes.metrics import FakeMetrics
from tests.fakes.publisher import FakeLedgerPublisher
from tests.fakes.store import FakeStore
from tests.fakes.unit_of_work import FakeUnitOfWork, FakeUnitOfWorkFactory

__all__ = [
    "FakeClock",
    "FakeHealth",
    "FakeLedgerPublisher",
    "FakeMetrics",
    "FakeStore",
    "FakeUnitOfWork",
    "FakeUnitOfWorkFactory",
]
