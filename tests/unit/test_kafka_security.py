"""Kafka security settings map to the clients' arguments, once, for every client: each protocol
and mechanism gives the right aiokafka arguments and the same FastStream security object, and a
combination that cannot work is a clear error at start, never a plaintext connection."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from faststream.kafka.security import parse_security
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.kafka.security import (
    SASL_MECHANISMS,
    SECURITY_PROTOCOLS,
    KafkaSecurity,
    KafkaSecurityError,
    broker_security,
    client_options,
)
from service.entrypoints.settings import Settings
from tests.support.certificates import KEY_PASSWORD, Certificates, make_certificates

pytestmark = pytest.mark.unit

PASSWORD = "s3cret-sasl-password"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


def security(protocol: str, mechanism: str, certs: Certificates) -> KafkaSecurity:
    tls = protocol.endswith("SSL")
    sasl = protocol.startswith("SASL")
    return KafkaSecurity(
        protocol=protocol,  # type: ignore[arg-type]
        sasl_mechanism=mechanism,  # type: ignore[arg-type]
        sasl_username="loyalty" if sasl else None,
        sasl_password=PASSWORD if sasl else None,
        ssl_ca_file=str(certs.ca) if tls else None,
        ssl_cert_file=str(certs.client_cert) if tls else None,
        ssl_key_file=str(certs.client_key) if tls else None,
        ssl_key_password=KEY_PASSWORD if tls else None,
    )


def without_none(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v is not None}


@pytest.mark.parametrize("mechanism", SASL_MECHANISMS)
@pytest.mark.parametrize("protocol", SECURITY_PROTOCOLS)
def test_each_protocol_and_mechanism_gives_its_client_arguments_and_the_same_broker_security(
    protocol: str, mechanism: str, certs: Certificates
) -> None:
    chosen = security(protocol, mechanism, certs)
    options = client_options(chosen)

    assert options["security_protocol"] == protocol
    context = options.get("ssl_context")
    if protocol in ("SSL", "SASL_SSL"):
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    else:
        assert context is None
    if protocol.startswith("SASL"):
        assert options["sasl_mechanism"] == mechanism
        assert options["sasl_plain_username"] == "loyalty"
        assert options["sasl_plain_password"] == PASSWORD
    else:
        assert not {"sasl_mechanism", "sasl_plain_username"} & set(options)
    # FastStream turns its security object back into client arguments: the same ones.
    assert without_none(parse_security(broker_security(chosen))) == options


def test_plaintext_is_the_default_and_asks_for_nothing() -> None:
    assert client_options(KafkaSecurity()) == {"security_protocol": "PLAINTEXT"}


def test_tls_without_a_ca_file_trusts_the_system_authorities() -> None:
    options = client_options(KafkaSecurity(protocol="SSL"))
    assert isinstance(options["ssl_context"], ssl.SSLContext)


def test_one_tls_context_serves_every_client() -> None:
    chosen = KafkaSecurity(protocol="SSL")
    assert client_options(chosen)["ssl_context"] is client_options(chosen)["ssl_context"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"protocol": "SASL_SSL", "sasl_password": "p"}, "needs a SASL username and password"),
        ({"protocol": "SASL_PLAINTEXT", "sasl_username": "u"}, "needs a SASL username"),
        ({"protocol": "SSL", "ssl_ca_file": "/nowhere/ca.pem"}, "CA file /nowhere/ca.pem"),
        ({"protocol": "SSL", "ssl_key_file": "/k.pem"}, "key file needs its certificate"),
        ({"protocol": "PLAINTEXT", "sasl_username": "u"}, "use SASL_PLAINTEXT or SASL_SSL"),
        (
            {
                "protocol": "SASL_PLAINTEXT",
                "sasl_username": "u",
                "sasl_password": "p",
                "ssl_ca_file": "/ca.pem",
            },
            "use SSL or SASL_SSL",
        ),
        ({"protocol": "TLS"}, "is not one of"),
        (
            {
                "protocol": "SASL_SSL",
                "sasl_mechanism": "GSSAPI",
                "sasl_username": "u",
                "sasl_password": "p",
            },
            "GSSAPI",
        ),
    ],
)
def test_a_combination_that_cannot_work_is_a_clear_error(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(KafkaSecurityError, match=message):
        KafkaSecurity(**fields)


def test_a_wrong_key_password_fails_at_start_not_at_the_first_connection(
    certs: Certificates,
) -> None:
    with pytest.raises(KafkaSecurityError, match="cannot be loaded"):
        KafkaSecurity(
            protocol="SSL",
            ssl_cert_file=str(certs.client_cert),
            ssl_key_file=str(certs.client_key),
            ssl_key_password="not-it",
        )


def test_a_file_that_is_not_a_certificate_fails_at_start(tmp_path: Path) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(KafkaSecurityError, match="cannot be loaded"):
        KafkaSecurity(protocol="SSL", ssl_ca_file=str(bogus))


def test_settings_refuse_to_start_with_a_missing_ca_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOYALTY_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("LOYALTY_KAFKA_SSL_CA_FILE", "/etc/kafka-ca/missing.crt")
    with pytest.raises(ValidationError, match=r"CA file /etc/kafka-ca/missing\.crt does not exist"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_settings_refuse_sasl_without_a_username(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOYALTY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("LOYALTY_KAFKA_SASL_PASSWORD", PASSWORD)
    with pytest.raises(ValidationError, match="needs a SASL username"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_secrets_never_show_in_settings_or_security_but_reach_child_processes(
    monkeypatch: pytest.MonkeyPatch, certs: Certificates
) -> None:
    for name, value in {
        "SECURITY_PROTOCOL": "SASL_SSL",
        "SASL_MECHANISM": "SCRAM-SHA-512",
        "SASL_USERNAME": "loyalty",
        "SASL_PASSWORD": PASSWORD,
        "SSL_CA_FILE": str(certs.ca),
        "SSL_CERT_FILE": str(certs.client_cert),
        "SSL_KEY_FILE": str(certs.client_key),
        "SSL_KEY_PASSWORD": KEY_PASSWORD,
    }.items():
        monkeypatch.setenv(f"LOYALTY_KAFKA_{name}", value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    chosen = settings.kafka_security()

    for shown in (repr(settings), str(settings), repr(chosen), settings.model_dump_json()):
        assert PASSWORD not in shown and KEY_PASSWORD not in shown
    assert chosen.sasl_password == PASSWORD and chosen.ssl_key_password == KEY_PASSWORD
    env = settings.as_env()
    assert env["LOYALTY_KAFKA_SASL_PASSWORD"] == PASSWORD
    assert env["LOYALTY_KAFKA_SSL_KEY_PASSWORD"] == KEY_PASSWORD


@given(
    protocol=st.sampled_from(SECURITY_PROTOCOLS),
    mechanism=st.sampled_from(SASL_MECHANISMS),
    username=st.none() | st.sampled_from(["", "loyalty"]),
    password=st.none() | st.sampled_from(["", PASSWORD]),
    ca=st.booleans(),
)
def test_whatever_is_set_the_clients_get_what_the_protocol_says_or_nothing_starts(
    protocol: str, mechanism: str, username: str | None, password: str | None, ca: bool
) -> None:
    # No combination may quietly connect with less than the protocol asks (a SASL protocol
    # without credentials, or TLS dropped), nor fail with anything but a settings error.
    ca_file = "/etc/ssl/certs/ca-certificates.crt" if ca else None
    try:
        chosen = KafkaSecurity(
            protocol=protocol,  # type: ignore[arg-type]
            sasl_mechanism=mechanism,  # type: ignore[arg-type]
            sasl_username=username,
            sasl_password=password,
            ssl_ca_file=ca_file if ca_file and Path(ca_file).is_file() else None,
        )
    except KafkaSecurityError:
        return
    options = client_options(chosen)
    assert options["security_protocol"] == protocol
    assert ("ssl_context" in options) == protocol.endswith("SSL")
    if protocol.startswith("SASL"):
        assert options["sasl_plain_username"] and options["sasl_plain_password"]
    else:
        assert "sasl_plain_password" not in options
