"""Pydantic bodies of the API: requests (validated strictly) and responses."""

from adapters.http.schemas.programme_in import ProgrammeIn
from adapters.http.schemas.programme_out import ProgrammeOut, RuleOut
from adapters.http.schemas.requests import (
    AdjustmentIn,
    EnrolmentIn,
    PreviewIn,
    RedemptionIn,
    StatusChangeIn,
)
from adapters.http.schemas.responses import (
    AccountOut,
    EntryOut,
    QuoteOut,
    ReadyOut,
    RedemptionCreatedOut,
    RedemptionOut,
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
