"""The identifier operations, answered by the same service object as the rest of the API."""

from __future__ import annotations

from typing import cast

from ports.identifiers import IdentifierOperations
from ports.operations import LoyaltyOperations


def identifier_operations(operations: LoyaltyOperations) -> IdentifierOperations:
    # LoyaltyService carries them (service.use_cases.operations); a port of their own keeps
    # LoyaltyOperations as it was for the callers that need none of them.
    return cast(IdentifierOperations, operations)
