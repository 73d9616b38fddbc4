"""The README's "Try it" through a client openapi-python-client generated from the document.

Run by tests/contract/test_generated_client.py in the generator's own virtualenv (with the
generated package ``loyalty_client`` on its path), never imported by the service's tests.
Reads API, ADMIN, CASHIER, LOYALTY (the CLI), SALE (the README's sale.json, its
``$(date -u +%FT%TZ)`` filled in here, as the shell would when the line runs) and SALE_TOPIC (the
README's sale.completed, renamed per test module in the contract tier) from the environment
and prints one JSON line of what it saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from loyalty_client import AuthenticatedClient  # type: ignore[import-not-found]
from loyalty_client.api.accounts import (  # type: ignore[import-not-found]
    enrol_customer,
    find_account_by_customer,
    read_account,
)
from loyalty_client.api.programme import set_programme  # type: ignore[import-not-found]
from loyalty_client.api.redemptions import (  # type: ignore[import-not-found]
    preview_redemption,
    redeem_points,
)
from loyalty_client.models import (  # type: ignore[import-not-found]
    EnrolmentInType0,
    PreviewIn,
    ProgrammeIn,
    RedemptionIn,
)


def main() -> None:
    env = os.environ
    admin = AuthenticatedClient(
        base_url=env["API"], token=env["ADMIN"], raise_on_unexpected_status=True
    )
    cashier = AuthenticatedClient(
        base_url=env["API"], token=env["CASHIER"], raise_on_unexpected_status=True
    )
    seen: dict[str, object] = {}

    programme = set_programme.sync(
        client=admin, body=ProgrammeIn(earn_rate="1", redemption_rate="100")
    )
    seen["programme"] = type(programme).__name__
    enrolled = enrol_customer.sync_detailed(
        client=cashier, body=EnrolmentInType0(customer_id="cust-42")
    )
    seen["enrolled"] = int(enrolled.status_code)
    account = find_account_by_customer.sync(client=cashier, customer_id="cust-42")
    account_id = account.account_id

    # The sale, published as the README does, twice (the second changes nothing). Its time is
    # whole seconds: one past the programme's rule, which is in force from when it was set.
    time.sleep(1.1)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sale = Path(env["SALE"])
    sale.write_text(sale.read_text().replace("$(date -u +%FT%TZ)", now))
    for _ in range(2):
        subprocess.run([env["LOYALTY"], "publish", env["SALE_TOPIC"], env["SALE"]], check=True)
    deadline = time.monotonic() + 60
    while (balance := read_account.sync(account_id, client=cashier).balance) == 0:
        assert time.monotonic() < deadline, "the sale never reached the balance"
        time.sleep(0.3)
    seen["balance"] = balance

    quote = preview_redemption.sync(account_id, client=cashier, body=PreviewIn(points=200))
    seen["preview"] = [quote.points_to_take, quote.discount, quote.balance_after]
    first = redeem_points.sync(
        account_id, client=cashier, body=RedemptionIn(points=200), idempotency_key="till-1-0001"
    )
    again = redeem_points.sync(
        account_id, client=cashier, body=RedemptionIn(points=200), idempotency_key="till-1-0001"
    )
    seen["redeemed"] = [
        first.points,
        first.discount,
        str(first.status),
        first.redemption_id == again.redemption_id,
    ]
    seen["balance_after"] = read_account.sync(account_id, client=cashier).balance
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
