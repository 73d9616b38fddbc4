"""Webhook rules: the signature a receiver verifies, the retry schedule, and the order one
account's deliveries reach an endpoint whatever fails on the way."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.webhooks import (
    Delivery,
    InvalidEndpoint,
    Outcome,
    RetrySchedule,
    after_attempt,
    checked_url,
    sendable,
    signature,
    verify,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ENDPOINT = uuid.UUID(int=1)


@given(st.binary(max_size=200), st.text(min_size=1, max_size=40), st.integers(0, 2**40))
def test_a_signed_body_verifies_and_any_change_to_it_does_not(
    body: bytes, secret: str, at: int
) -> None:
    header = signature(secret, at, body)
    assert verify(secret, header, body, now=at)
    assert not verify(secret, header, body + b" ", now=at)
    assert not verify(secret + "x", header, body, now=at)
    assert not verify(secret, header, body, now=at + 301)  # an old capture replayed


def test_the_signature_header_follows_stripes_convention() -> None:
    header = signature("whsec_k", 1700000000, b'{"a":1}')
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert not verify("whsec_k", "v1=nothing", b"", now=0)


def test_the_retry_wait_doubles_from_the_base_up_to_the_cap() -> None:
    schedule = RetrySchedule(base_seconds=60, cap_seconds=600, max_attempts=5)
    waits = [schedule.delay(n).total_seconds() for n in range(1, 7)]
    assert waits == [60, 120, 240, 480, 600, 600]
    assert schedule.delay(10**6) == timedelta(seconds=600)


def test_a_delivery_fails_for_good_after_its_last_attempt() -> None:
    schedule = RetrySchedule(base_seconds=1, cap_seconds=10, max_attempts=2)
    first = after_attempt(_delivery(1, 1), Outcome(500, "down"), NOW, schedule)
    assert (first.state, first.attempts, first.next_attempt_at) == (
        "pending", 1, NOW + timedelta(seconds=1),
    )  # fmt: skip
    assert after_attempt(first, Outcome(None, "refused"), NOW, schedule).state == "failed"
    assert after_attempt(first, Outcome(204), NOW, schedule).state == "delivered"


def test_only_https_to_a_public_host_may_receive_deliveries_unless_the_operator_allows() -> None:
    assert checked_url("https://crm.example.com/hook")
    assert checked_url("https://8.8.8.8/hook")
    assert checked_url("http://crm.internal/hook", allow_http=True)
    assert checked_url("http://127.0.0.1:8000/hook", allow_private=True)
    assert checked_url("https://10.0.0.7/hook", allow_private=True)
    for url in ("http://crm.example.com/hook", "ftp://x/y", "https:///nohost", "file:///etc"):
        with pytest.raises(InvalidEndpoint, match=r"https|host"):
            checked_url(url)
    # Server-side request forgery: the service posting to itself or its network, a manager
    # reading the answers back in the deliveries' errors.
    for url in (
        "http://127.0.0.1:8000/hook",
        "https://127.0.0.1/hook",
        "https://LOCALHOST./hook",
        "https://api.localhost/hook",
        "https://10.0.0.7/hook",
        "https://192.168.1.1/hook",
        "https://172.16.0.1/hook",
        "https://100.64.0.1/hook",  # shared address space
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:10.0.0.7]/hook",
        "https://2130706433/hook",  # 127.0.0.1 as resolvers still read these
        "https://127.1/hook",
        "https://0x7f.1/hook",
        "https://012.0.0.1/hook",  # octal: 10.0.0.1
    ):
        with pytest.raises(InvalidEndpoint, match="public"):
            checked_url(url, allow_http=True)


@given(st.ip_addresses())
def test_an_address_is_public_exactly_when_globally_routed_and_not_multicast(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    host = f"[{address}]" if address.version == 6 else str(address)
    mapped = getattr(address, "ipv4_mapped", None) or address
    public = mapped.is_global and not mapped.is_multicast
    try:
        checked_url(f"https://{host}/hook")
    except InvalidEndpoint:
        assert not public
    else:
        assert public


def _delivery(account: int, seq: int, delivery_id: int | None = None) -> Delivery:
    return Delivery(
        business_id="b", delivery_id=delivery_id or seq, endpoint_id=ENDPOINT,
        entry_id=uuid.uuid4(), account_id=uuid.UUID(int=account), seq=seq, kind="earn",
        state="pending", attempts=0, next_attempt_at=NOW,
    )  # fmt: skip


@given(
    per_account=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    failures=st.lists(st.booleans(), max_size=200),
)
def test_one_accounts_deliveries_arrive_in_entry_order_whatever_fails(
    per_account: list[int], failures: list[bool]
) -> None:
    schedule = RetrySchedule(base_seconds=1, cap_seconds=8, max_attempts=10**6)
    pending = {}
    next_id = 1
    for account, count in enumerate(per_account):
        for seq in range(1, count + 1):
            pending[next_id] = _delivery(account, seq, next_id)
            next_id += 1
    arrived: list[Delivery] = []
    now, fails = NOW, iter(failures)
    for _ in range(10_000):
        if not pending:
            break
        for head in sendable(pending.values(), now):
            outcome = Outcome(503) if next(fails, False) else Outcome(200)
            done = after_attempt(head, outcome, now, schedule)
            if done.state == "delivered":
                arrived.append(done)
                del pending[done.delivery_id]
            else:
                pending[done.delivery_id] = done
        now += timedelta(seconds=1)
    assert not pending
    assert len(arrived) == sum(per_account)
    for account in range(len(per_account)):
        seqs = [d.seq for d in arrived if d.account_id == uuid.UUID(int=account)]
        assert seqs == sorted(seqs) == list(range(1, per_account[account] + 1))
