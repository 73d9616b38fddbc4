"""Code defaults that stand for a setting equal that setting's default, so a caller that builds a
part without the container behaves as the configured service does."""

from __future__ import annotations

import pytest

from ports.backoff import Backoff
from service.entrypoints.settings import Settings
from service.use_cases.retrying import RetryPolicy

pytestmark = pytest.mark.unit

DEFAULTS = {name: field.default for name, field in Settings.model_fields.items()}


def test_the_backoff_and_the_retry_policy_wait_as_the_settings_say() -> None:
    backoff, policy = Backoff(), RetryPolicy()

    assert (backoff.initial_seconds, backoff.max_seconds) == (
        DEFAULTS["retry_initial_seconds"],
        DEFAULTS["retry_max_seconds"],
    )
    assert (policy.initial_seconds, policy.max_seconds, policy.budget_seconds) == (
        DEFAULTS["retry_initial_seconds"],
        DEFAULTS["retry_max_seconds"],
        DEFAULTS["retry_budget_seconds"],
    )
