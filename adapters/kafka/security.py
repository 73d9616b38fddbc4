"""How every Kafka client of the service reaches its brokers: plaintext, TLS, SASL or both.

One description (``KafkaSecurity``) and one mapping from it to aiokafka's keyword arguments
(``client_options``), which the FastStream broker gets as its ``security`` object
(``broker_security``: FastStream turns that back into the same arguments). A client built
without it would silently speak plaintext to a TLS listener, so every constructor here takes it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, get_args

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
SECURITY_PROTOCOLS: tuple[str, ...] = get_args(SecurityProtocol)
SASL_MECHANISMS: tuple[str, ...] = get_args(SaslMechanism)

_SASL_SECURITY = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


class KafkaSecurityError(ValueError):
    """The Kafka security settings cannot work (said before any client connects)."""


@dataclass(frozen=True)
class KafkaSecurity:
    """What the brokers' listener expects. Passwords never appear in ``repr``."""

    protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "PLAIN"
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_ca_file: str | None = None
    """PEM CA bundle the brokers' certificates chain to (none: the system's trusted CAs)."""
    ssl_cert_file: str | None = None
    """PEM client certificate, for listeners that authenticate clients by certificate."""
    ssl_key_file: str | None = None
    ssl_key_password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.protocol not in SECURITY_PROTOCOLS:
            raise KafkaSecurityError(
                f"Kafka security protocol {self.protocol!r} is not one of {SECURITY_PROTOCOLS}"
            )
        self._check_sasl()
        self._check_tls()

    @property
    def uses_tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    @cached_property
    def ssl_context(self) -> ssl.SSLContext | None:
        """One context for every client (built once: it reads and checks the files)."""
        if not self.uses_tls:
            return None
        try:
            context: ssl.SSLContext = create_ssl_context(
                cafile=self.ssl_ca_file,
                certfile=self.ssl_cert_file,
                keyfile=self.ssl_key_file,
                password=self.ssl_key_password,
            )
        except (ssl.SSLError, OSError) as error:
            raise KafkaSecurityError(f"Kafka TLS files cannot be loaded: {error}") from error
        return context

    def _check_sasl(self) -> None:
        if not self.uses_sasl:
            if self.sasl_username or self.sasl_password:
                # Credentials that would silently go unused: the operator meant SASL.
                raise KafkaSecurityError(
                    f"a Kafka SASL username or password is set but the security protocol is "
                    f"{self.protocol}: use SASL_PLAINTEXT or SASL_SSL"
                )
            return
        if self.sasl_mechanism not in SASL_MECHANISMS:
            raise KafkaSecurityError(
                f"Kafka SASL mechanism {self.sasl_mechanism!r} is not one of {SASL_MECHANISMS}"
            )
        if not self.sasl_username or not self.sasl_password:
            raise KafkaSecurityError(
                f"Kafka security protocol {self.protocol} needs a SASL username and password"
            )

    def _check_tls(self) -> None:
        files = {
            "CA": self.ssl_ca_file,
            "certificate": self.ssl_cert_file,
            "key": self.ssl_key_file,
        }
        if not self.uses_tls:
            if any(files.values()) or self.ssl_key_password:
                raise KafkaSecurityError(
                    f"Kafka TLS files are set but the security protocol is {self.protocol}: "
                    "use SSL or SASL_SSL"
                )
            return
        if self.ssl_key_file and not self.ssl_cert_file:
            raise KafkaSecurityError("a Kafka TLS key file needs its certificate file")
        for name, path in files.items():
            if path and not Path(path).is_file():
                raise KafkaSecurityError(f"the Kafka TLS {name} file {path} does not exist")
        _ = self.ssl_context  # a bad PEM or key password fails here, at start


PLAINTEXT = KafkaSecurity()


def client_options(security: KafkaSecurity) -> dict[str, Any]:
    """aiokafka's keyword arguments (producer, consumer, admin) for ``security``."""
    options: dict[str, Any] = {"security_protocol": security.protocol}
    if security.uses_tls:
        options["ssl_context"] = security.ssl_context
    if security.uses_sasl:
        options["sasl_mechanism"] = security.sasl_mechanism
        options["sasl_plain_username"] = security.sasl_username
        options["sasl_plain_password"] = security.sasl_password
    return options


def broker_security(security: KafkaSecurity) -> BaseSecurity:
    """The same, as the FastStream broker's ``security`` object."""
    if not security.uses_sasl:
        return BaseSecurity(ssl_context=security.ssl_context, use_ssl=security.uses_tls)
    assert security.sasl_username is not None and security.sasl_password is not None
    return _SASL_SECURITY[security.sasl_mechanism](
        security.sasl_username,
        security.sasl_password,
        ssl_context=security.ssl_context,
        use_ssl=security.uses_tls,
    )
