"""Pydantic bodies of the API: requests (validated strictly) and responses."""

from adapters.http.schemas.requests import (
    AdjustmentIn,
    EnrolmentIn,
    PreviewIn,
    ProgrammeIn,
    RedemptionIn,
    StatusChangeIn,
)
from adapters.http.schemas.responses import (
    AccountOut,
    EntryOut,
    ProgrammeOut,
    QuoteOut,
    ReadyOut,
    RedemptionCreatedOut,
    RedemptionOut,
    RuleOut,
    TransactionPageOut,
)

__all__ = [
    "AccountOut",
    "AdjustmentIn",
    "EnrolmentIn",
    "EntryOut",
    "PreviewIn",
    "ProgrammeIn",
    "ProgrammeOut",
    "QuoteOut",
    "ReadyOut",
    "RedemptionCreatedOut",
    "RedemptionIn",
    "RedemptionOut",
    "RuleOut",
    "StatusChangeIn",
    "TransactionPageOut",
]
