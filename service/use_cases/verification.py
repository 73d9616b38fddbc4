"""Use case: check every ledger invariant on a live database and name each breach."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.chain import GENESIS_HASH, entry_hash
from ports.repositories import LedgerAuditRepository
from ports.unit_of_work import UnitOfWorkFactory

PARKED_MAX_AGE_SECONDS = 7 * 24 * 3600.0


@dataclass
class VerificationReport:
    """Breaches break an invariant (``ok`` is false); notices are worth an operator's look
    but break none."""

    entries_checked: int = 0
    accounts_checked: int = 0
    breaches: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    breach_kinds: dict[str, int] = field(default_factory=dict)
    """Breaches by the check that looks for them (0: it ran and found none)."""
    notice_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.breaches

    def found(self, kind: str, breaches: list[str], notices: list[str] | None = None) -> None:
        """What one check found: breaches, or (a notice check) notices."""
        self.breaches += breaches
        if notices is None:
            self.breach_kinds[kind] = self.breach_kinds.get(kind, 0) + len(breaches)
        else:
            self.notices += notices
            self.notice_kinds[kind] = self.notice_kinds.get(kind, 0) + len(notices)


async def verify_ledger(
    uow_factory: UnitOfWorkFactory,
    business_id: str | None,
    outbox_max_age_seconds: float,
    parked_max_age_seconds: float = PARKED_MAX_AGE_SECONDS,
) -> VerificationReport:
    """Balances equal their entries; hash chains hold; no reversal exceeds its earn; every
    applied event has its entries; purchases, refunds and redemptions agree with their
    entries; lot takes agree with the entries taking; nothing waits in the outbox longer
    than the bound; each account's point lots hold exactly its (non-negative) balance.

    Every check reads one snapshot, so postings committed meanwhile are no breach."""
    report = VerificationReport()
    async with uow_factory() as uow:
        audit = uow.audit
        await audit.read_one_snapshot()
        report.found("balance", await audit.balance_breaches(business_id))
        report.found("reversal", await audit.reversal_breaches(business_id))
        report.found("inbox", await audit.inbox_breaches(business_id))
        report.found("outbox", await audit.outbox_breaches(business_id, outbox_max_age_seconds))
        report.found("lot", await audit.lot_breaches(business_id))
        report.found("purchase", await audit.purchase_breaches(business_id))
        report.found("refund", await audit.refund_breaches(business_id))
        report.found("redemption", await audit.redemption_breaches(business_id))
        report.found("lot_take", await audit.lot_take_breaches(business_id))
        report.found("hold", await audit.hold_breaches(business_id))
        report.found("refused_capture", [], await audit.refused_capture_notices(business_id))
        report.found("over_refund", [], await audit.over_refund_notices(business_id))
        report.found(
            "parked_refund",
            [],
            await audit.parked_refund_notices(business_id, parked_max_age_seconds),
        )
        await _check_chains(audit, business_id, report)
    return report


async def _check_chains(
    audit: LedgerAuditRepository, business_id: str | None, report: VerificationReport
) -> None:
    last_hashes = await audit.last_hashes(business_id)
    report.accounts_checked = len(last_hashes)
    chain_ends: dict[tuple[str, str], str] = {}
    previous: dict[tuple[str, str], str] = {}
    broken: list[str] = []
    async for entry in audit.entries_in_chain_order(business_id):
        report.entries_checked += 1
        key = (entry.business_id, str(entry.account_id))
        expected_prev = previous.get(key, GENESIS_HASH)
        recomputed = entry_hash(entry, expected_prev)
        if entry.prev_hash != expected_prev or entry.entry_hash != recomputed:
            broken.append(
                f"entry {entry.business_id}/{entry.entry_id} (account {entry.account_id},"
                f" seq {entry.seq}) does not match its hash chain"
            )
        previous[key] = entry.entry_hash
        chain_ends[key] = entry.entry_hash
    for key, last_hash in last_hashes.items():
        if chain_ends.get(key, GENESIS_HASH) != last_hash:
            broken.append(f"account {key[0]}/{key[1]}: its last hash is not its newest entry's")
    report.found("hash_chain", broken)
