"""The bench's import measure, small, on real PostgreSQL: it imports accounts and opening
lots, reruns them, checks the balances add up to the file, writes the same entries again for
its floor, and gives every figure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.imports import import_figures
from tests.support.settings import fresh_database

pytestmark = pytest.mark.integration


async def test_the_import_measure_imports_reruns_and_copies_a_small_file(
    postgres_url: str, migrated_template: str, tmp_path: Path
) -> None:
    service, bare = [
        await fresh_database(postgres_url, f"bench_import_{label}_{os.getpid()}", migrated_template)
        for label in ("service", "copy")
    ]

    figures = await import_figures(service, bare, tmp_path, rows=600)  # raises when off

    assert set(figures) == {
        "import_accounts_rows_per_s",
        "import_balances_rows_per_s",
        "import_rerun_rows_per_s",
        "bare_copy_rows_per_s",
        "ledger_write_floor_rows_per_s",
        "import_database_cpu_us_per_row",  # the server runs here: its processes at hand
        "import_client_cpu_us_per_row",
        "import_cores_busy",
    }
    assert all(value > 0 for value in figures.values())
    assert figures["import_cores_busy"] <= (os.cpu_count() or 1) + 0.5  # time adds up
