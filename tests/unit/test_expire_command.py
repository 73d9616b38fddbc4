"""``loyalty expire --now``: a sweep as of the past is allowed, one as of the future is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from service.entrypoints.cli import app as cli

pytestmark = pytest.mark.unit

# Nowhere to connect: a refused --now must be refused before anything is opened.
NO_DATABASE = {"LOYALTY_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}


@pytest.mark.parametrize(
    ("ahead", "written"),
    [  # the moment is taken when the test runs: collected ten minutes earlier, +5 min is past
        (timedelta(days=365), "%Y-%m-%dT%H:%M:%S+00:00"),
        (timedelta(minutes=5), "%Y-%m-%dT%H:%M:%S"),  # no offset: UTC
        (None, "2999-01-01T00:00:00+00:00"),
    ],
)
def test_expire_refuses_a_now_in_the_future_with_exit_code_2(
    ahead: timedelta | None, written: str
) -> None:
    moment = (datetime.now(UTC) + ahead).strftime(written) if ahead else written
    result = CliRunner().invoke(cli, ["expire", "--now", moment], env=NO_DATABASE)

    assert result.exit_code == 2, result.output
    assert "--now" in result.output and "future" in result.output
