"""``loyalty program set --tiers JSON|FILE`` / ``--no-tiers``: the API's shape and checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import typer

from domain.commands import UNCHANGED
from domain.levels import Level, LevelBasis, TierPolicy
from service.entrypoints.cli_tier_options import parse_tiers, tiers_from

pytestmark = pytest.mark.unit

TEXT = '{"levels": [{"name": "Gold", "threshold": "500", "multiplier": "2"}], "window_days": null}'
GOLD = TierPolicy((Level("Gold", Decimal(500), Decimal(2)),), LevelBasis.POINTS, None)


def test_tiers_are_read_from_json_or_from_the_file_holding_it(tmp_path: Path) -> None:
    file = tmp_path / "tiers.json"
    file.write_text(TEXT, encoding="utf-8")

    assert parse_tiers(TEXT) == GOLD
    assert parse_tiers(str(file)) == GOLD


@pytest.mark.parametrize(
    "text",
    ['{"levels": []}', '{"levels": [{"name": "A", "threshold": "-1"}]}', "no-such-file.json"],
)
def test_tiers_the_api_would_refuse_are_refused_before_any_connection(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_tiers(text)


def test_no_option_keeps_the_levels_and_no_tiers_removes_them() -> None:
    assert tiers_from(None, False) is UNCHANGED
    assert tiers_from(None, True) is None
    assert tiers_from(GOLD, False) == GOLD
    with pytest.raises(typer.BadParameter):
        tiers_from(GOLD, True)
