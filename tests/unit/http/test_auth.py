"""Bearer tokens: who may call, and with which role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.http.auth import AuthSettings, Role, mint_token, verify_token
from adapters.http.problems import ProblemError

from .conftest import SECRET, SHOP, Shop, bearer

pytestmark = pytest.mark.unit

Route = tuple[str, str, dict[str, object] | None]

MANAGER_ROUTES: list[Route] = [
    ("POST", "/v1/accounts/{account}/adjustments", {"points": 5, "reason": "goodwill"}),
    ("POST", "/v1/accounts/{account}/suspend", None),
    ("POST", "/v1/accounts/{account}/reactivate", None),
]
ADMIN_ROUTES: list[Route] = [("PUT", "/v1/program", {"earn_rate": "1", "redemption_rate": "100"})]


def _rsa_pair() -> tuple[Any, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public.decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {"sub": "ann", "business_id": SHOP, "role": "cashier", "exp": now + timedelta(hours=1)}
    return {**claims, **overrides}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_request_without_a_token_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/program")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "authentication_required"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer ", "Token abc"],
)
async def test_a_malformed_or_foreign_authorization_header_is_401(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get("/v1/program", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_signed_with_another_secret_is_401(client: httpx.AsyncClient) -> None:
    token = jwt.encode(_claims(), "another-secret-that-is-long-enough-32b", algorithm="HS256")

    response = await client.get("/v1/program", headers=_auth(token))

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_an_expired_token_is_401_and_says_the_session_expired(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/program", headers=bearer(ttl_seconds=-3600))

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert "expired" in response.json()["detail"]


async def test_a_token_signed_with_an_algorithm_other_than_the_configured_one_is_401(
    client: httpx.AsyncClient,
) -> None:
    private, _ = _rsa_pair()
    token = jwt.encode(_claims(), private, algorithm="RS256")

    response = await client.get("/v1/program", headers=_auth(token))

    assert response.status_code == 401


async def test_an_unsigned_token_is_401(client: httpx.AsyncClient) -> None:
    token = jwt.encode(_claims(), "", algorithm="none")

    response = await client.get("/v1/program", headers=_auth(token))

    assert response.status_code == 401


@pytest.mark.parametrize(
    "claims",
    [
        _claims(role="owner"),
        _claims(business_id=""),
        {k: v for k, v in _claims().items() if k != "business_id"},
        {k: v for k, v in _claims().items() if k != "exp"},
        _claims(terminal_id=7),
    ],
    ids=["unknown role", "empty business", "no business", "no expiry", "terminal not text"],
)
async def test_a_token_without_the_claims_the_api_needs_is_401(
    client: httpx.AsyncClient, claims: dict[str, Any]
) -> None:
    response = await client.get("/v1/program", headers=_auth(jwt.encode(claims, SECRET)))

    assert response.status_code == 401


async def test_with_an_rs256_key_configured_rs256_tokens_pass_and_hs256_ones_do_not() -> None:
    private, public = _rsa_pair()
    settings = AuthSettings(rs256_public_key=public)
    app = Shop().app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        signed = jwt.encode(_claims(business_id="nowhere"), private, algorithm="RS256")
        forged_with_secret = jwt.encode(_claims(), SECRET, algorithm="HS256")

        accepted = await client.get("/v1/program", headers=_auth(signed))
        refused = await client.get("/v1/program", headers=_auth(forged_with_secret))

    assert accepted.status_code == 404  # authenticated; that business has no programme
    assert refused.status_code == 401


def test_a_minted_token_verifies_to_the_principal_it_names() -> None:
    token = mint_token(SECRET, SHOP, Role.MANAGER, "mo", terminal_id="till-1", store_id="s-1")

    principal = verify_token(token, AuthSettings(hs256_secret=SECRET))

    assert (principal.actor, principal.business_id, principal.role) == ("mo", SHOP, Role.MANAGER)
    assert (principal.terminal_id, principal.store_id) == ("till-1", "s-1")


def test_auth_settings_need_a_secret_or_a_public_key() -> None:
    with pytest.raises(ValueError):
        AuthSettings()


@pytest.mark.parametrize(("method", "path", "body"), MANAGER_ROUTES + ADMIN_ROUTES)
async def test_a_cashier_is_refused_every_manager_and_admin_route_with_403(
    client: httpx.AsyncClient, shop: Shop, method: str, path: str, body: Any
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.request(
        method, path.format(account=account), json=body, headers=bearer(Role.CASHIER)
    )

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_role"
    assert shop.uows.made == []


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
async def test_a_manager_is_refused_the_admin_routes_with_403(
    client: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    response = await client.request(method, path, json=body, headers=bearer(Role.MANAGER))

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
@pytest.mark.parametrize(("method", "path", "body"), MANAGER_ROUTES)
async def test_managers_and_admins_may_use_the_manager_routes(
    client: httpx.AsyncClient,
    shop: Shop,
    role: Role,
    method: str,
    path: str,
    body: Any,
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)
    headers = {**bearer(role), "Idempotency-Key": "k-1"}

    response = await client.request(
        method, path.format(account=account), json=body, headers=headers
    )

    assert response.status_code in {200, 201}


def _token_valid_for(seconds: float) -> str:
    now = datetime.now(UTC)
    claims = {"sub": "mo", "business_id": SHOP, "role": "cashier"}
    return jwt.encode({**claims, "exp": now + timedelta(seconds=seconds)}, SECRET, "HS256")


def test_a_verified_token_is_remembered_until_it_expires_then_refused() -> None:
    import time

    settings = AuthSettings(hs256_secret=SECRET, leeway_seconds=0)
    token = _token_valid_for(1)

    first = verify_token(token, settings)
    assert settings.verified.get(token, 0) is first  # the next request skips the signature
    assert verify_token(token, settings) is first

    time.sleep(1.2)
    with pytest.raises(ProblemError) as refused:
        verify_token(token, settings)
    assert refused.value.code == "token_expired"


def test_a_forged_token_is_never_remembered() -> None:
    settings = AuthSettings(hs256_secret=SECRET)
    forged = jwt.encode(
        {"sub": "mo", "business_id": SHOP, "role": "admin", "exp": 4_000_000_000},
        "another-secret-" + "x" * 32,
        "HS256",
    )

    for _ in range(2):
        with pytest.raises(ProblemError) as refused:
            verify_token(forged, settings)
        assert refused.value.code == "invalid_token"
    assert settings.verified.get(forged, 30) is None
