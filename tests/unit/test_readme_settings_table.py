"""The README's settings table ("Deploy", "Settings") lists exactly the settings the code has,
each with the default the code gives it, so the table cannot drift from settings.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, TypeAdapter

from service.entrypoints.settings import Settings

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parents[2] / "README.md"
UNSET = "unset"


def settings_table(text: str) -> dict[str, tuple[str, str]]:
    """{env name: (default cell, meaning)} of the table under "### Settings" in "## Deploy"."""
    deploy = text[text.index("\n## Deploy\n") :]
    deploy = deploy[: deploy.index("\n## ", 1)]
    section = deploy[deploy.index("\n### Settings\n") + 1 :]
    if (end := section.find("\n### ")) != -1:
        section = section[:end]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| `(LOYALTY_[A-Z0-9_]+)` \| (.+?) \| (.+) \|", line)
        if match:
            name, default, meaning = match.groups()
            assert name not in rows, f"{name} is listed twice"
            rows[name] = (default.strip(), meaning.strip())
    return rows


def parsed_default(cell: str, annotation: Any) -> Any:
    """A default cell as the setting's type reads it from the environment; `unset` is None."""
    if cell == UNSET:
        return None
    assert cell.startswith("`") and cell.endswith("`"), f"{cell!r}: a value goes in backticks"
    return TypeAdapter(annotation).validate_python(cell[1:-1])


def code_defaults() -> dict[str, Any]:
    return {f"LOYALTY_{name.upper()}": f.default for name, f in Settings.model_fields.items()}


TABLE = settings_table(README.read_text())


def test_the_table_lists_exactly_the_settings_the_code_has() -> None:
    assert sorted(TABLE) == sorted(code_defaults())


@pytest.mark.parametrize("name", sorted(code_defaults()))
def test_each_row_shows_the_default_the_code_gives_that_setting(name: str) -> None:
    field = Settings.model_fields[name.removeprefix("LOYALTY_").lower()]
    shown = parsed_default(TABLE[name][0], field.annotation)
    expected = field.default
    if isinstance(shown, SecretStr):
        shown = shown.get_secret_value()
    assert shown == expected, f"{name}: README shows {TABLE[name][0]}, the code has {expected!r}"


@pytest.mark.parametrize("name", sorted(code_defaults()))
def test_each_setting_has_a_meaning_in_the_code_and_in_the_table(name: str) -> None:
    assert Settings.model_fields[name.removeprefix("LOYALTY_").lower()].description
    assert len(TABLE[name][1]) > 10


def test_a_default_changed_in_the_table_is_caught() -> None:
    row = "| `LOYALTY_MAX_REDRIVES` | `3` |"
    assert row in README.read_text()
    text = README.read_text().replace(row, "| `LOYALTY_MAX_REDRIVES` | `4` |")
    field = Settings.model_fields["max_redrives"]
    assert parsed_default(settings_table(text)["LOYALTY_MAX_REDRIVES"][0], field.annotation) != 3


def test_a_setting_missing_from_the_table_is_caught() -> None:
    text = "\n".join(
        line for line in README.read_text().splitlines() if "`LOYALTY_LOG_LEVEL`" not in line
    )
    assert "LOYALTY_LOG_LEVEL" not in settings_table(text)
    assert set(settings_table(text)) != set(code_defaults())
