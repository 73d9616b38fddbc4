"""Audience, issuer and maximum lifetime of bearer tokens, when configured, are enforced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from typer.testing import CliRunner

from adapters.http.auth import AuthSettings, Role, mint_token, verify_token
from adapters.http.problems import ProblemError
from service.entrypoints.cli import app as cli
from service.entrypoints.resources import auth_settings
from service.entrypoints.settings import Settings

from .conftest import SECRET, SHOP

pytestmark = pytest.mark.unit

AUDIENCE = "loyalty-api"
ISSUER = "https://id.example.test"


def _token(**claims: Any) -> str:
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "sub": "ann",
        "business_id": SHOP,
        "role": "cashier",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    present = {k: v for k, v in {**base, **claims}.items() if v is not None}
    return jwt.encode(present, SECRET, algorithm="HS256")


def _refused(token: str, settings: AuthSettings) -> str:
    with pytest.raises(ProblemError) as refused:
        verify_token(token, settings)
    assert refused.value.status == 401
    return refused.value.code


@pytest.mark.parametrize(
    "aud", [None, "another-service", ["another-service"]], ids=["none", "other", "other list"]
)
def test_with_an_audience_configured_a_token_not_naming_it_is_refused(aud: Any) -> None:
    settings = AuthSettings(hs256_secret=SECRET, audience=AUDIENCE)

    assert _refused(_token(aud=aud), settings) == "invalid_token"


def test_with_an_audience_configured_a_token_naming_it_is_accepted() -> None:
    settings = AuthSettings(hs256_secret=SECRET, audience=AUDIENCE)

    assert verify_token(_token(aud=[AUDIENCE, "reports"]), settings).actor == "ann"


@pytest.mark.parametrize("iss", [None, "https://evil.example.test"], ids=["none", "other"])
def test_with_an_issuer_configured_a_token_from_anyone_else_is_refused(iss: str | None) -> None:
    settings = AuthSettings(hs256_secret=SECRET, issuer=ISSUER)

    assert _refused(_token(iss=iss), settings) == "invalid_token"
    assert verify_token(_token(iss=ISSUER), settings).business_id == SHOP


def test_with_a_maximum_lifetime_a_token_living_longer_is_refused() -> None:
    settings = AuthSettings(hs256_secret=SECRET, max_lifetime_seconds=3600)
    now = datetime.now(UTC)

    too_long = _token(iat=now, exp=now + timedelta(seconds=3601 + settings.leeway_seconds))
    assert _refused(too_long, settings) == "invalid_token"
    assert verify_token(_token(iat=now, exp=now + timedelta(seconds=3600)), settings)


def test_with_a_maximum_lifetime_a_token_without_iat_is_refused() -> None:
    settings = AuthSettings(hs256_secret=SECRET, max_lifetime_seconds=3600)

    assert _refused(_token(iat=None), settings) == "invalid_token"


def test_a_token_issued_in_the_future_cannot_stretch_its_lifetime() -> None:
    settings = AuthSettings(hs256_secret=SECRET, max_lifetime_seconds=3600)
    later = datetime.now(UTC) + timedelta(days=30)

    assert _refused(_token(iat=later, exp=later + timedelta(seconds=60)), settings) in {
        "invalid_token",
        "token_expired",
    }


def test_a_refused_token_is_not_remembered_for_a_later_laxer_check() -> None:
    settings = AuthSettings(hs256_secret=SECRET, audience=AUDIENCE)
    token = _token(aud="another-service")

    _refused(token, settings)

    assert settings.verified.get(token, 30) is None


def test_settings_reach_the_api_s_token_check() -> None:
    settings = Settings(
        jwt_secret=SECRET,
        jwt_audience=AUDIENCE,
        jwt_issuer=ISSUER,
        jwt_max_lifetime_seconds=600,
    )

    auth = auth_settings(settings)

    assert (auth.audience, auth.issuer, auth.max_lifetime_seconds) == (AUDIENCE, ISSUER, 600)


def test_a_non_positive_maximum_lifetime_is_not_a_setting() -> None:
    with pytest.raises(ValueError):
        Settings(jwt_max_lifetime_seconds=0)


def _cli_env(**extra: str) -> dict[str, str]:
    return {"LOYALTY_JWT_SECRET": SECRET, **extra}


def test_loyalty_token_mints_tokens_that_satisfy_the_configured_claims() -> None:
    env = _cli_env(
        LOYALTY_JWT_AUDIENCE=AUDIENCE,
        LOYALTY_JWT_ISSUER=ISSUER,
        LOYALTY_JWT_MAX_LIFETIME_SECONDS="900",
    )

    result = CliRunner().invoke(cli, ["token", "--business", SHOP, "--role", "manager"], env=env)

    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    settings = AuthSettings(
        hs256_secret=SECRET, audience=AUDIENCE, issuer=ISSUER, max_lifetime_seconds=900
    )
    principal = verify_token(token, settings)
    assert (principal.business_id, principal.role) == (SHOP, Role.MANAGER)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 900


def test_loyalty_token_refuses_a_ttl_over_the_maximum_lifetime() -> None:
    env = _cli_env(LOYALTY_JWT_MAX_LIFETIME_SECONDS="900")

    result = CliRunner().invoke(cli, ["token", "--business", SHOP, "--ttl", "901"], env=env)

    assert result.exit_code == 2
    assert "900" in result.output


def test_a_minted_token_without_audience_or_issuer_has_neither_claim() -> None:
    claims = jwt.decode(
        mint_token(SECRET, SHOP, Role.CASHIER, "ann"), options={"verify_signature": False}
    )

    assert "aud" not in claims and "iss" not in claims
