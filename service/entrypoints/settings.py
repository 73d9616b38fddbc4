"""Settings from the environment (``LOYALTY_`` prefix) and ``.loyalty/dev.env``."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.kafka.security import KafkaSecurity, SaslMechanism, SecurityProtocol
from domain.events import EventKind

DEV_ENV_FILE = ".loyalty/dev.env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOYALTY_", env_file=DEV_ENV_FILE, extra="ignore", frozen=True
    )

    database_url: str = "postgresql://postgres@127.0.0.1:5432/loyalty"
    database_pool_min: int = Field(default=1, ge=1)
    database_pool_max: int = Field(default=10, ge=1)

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    """How every Kafka client (consumer, producers, admin, the CLI's readers) reaches the
    brokers: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (``adapters.kafka.security``)."""
    kafka_sasl_mechanism: SaslMechanism = "PLAIN"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_file: str | None = None
    """PEM CA bundle for the brokers' certificates (unset: the system's trusted CAs)."""
    kafka_ssl_cert_file: str | None = None
    kafka_ssl_key_file: str | None = None
    kafka_ssl_key_password: SecretStr | None = None
    consumer_group: str = "loyalty-points"
    topic_sale_completed: str = "sale.completed"
    topic_customer_return_created: str = "customer-return.created"
    topic_bill_paid: str = "bill.paid"
    topic_bill_refunded: str = "bill.refunded"
    topic_sale_cancelled: str = "sale.cancelled"
    topic_ledger: str = "loyalty.ledger"
    dead_letter_suffix: str = ".dlq"
    max_redrives: int = Field(default=3, ge=0)
    topic_partitions: int = Field(default=3, ge=1)
    batch_max_records: int = Field(default=2000, ge=1)
    """Most events applied in one transaction. Under a backlog 2,000 earned more per
    second than 500 on the bench (fewer round trips to the database and the broker per event);
    at a steady trickle batches stay as small as what has arrived."""
    gc_young_threshold: int = Field(default=50_000, ge=1)
    """Allocations between the garbage collector's young collections (CPython's default is
    700; see ``service.entrypoints.runtime.tune_garbage_collector``)."""
    consumer_session_timeout_ms: int = Field(default=10_000, ge=1000)
    consumer_heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    consumer_max_poll_interval_ms: int = Field(default=300_000, ge=1000)
    consumer_fetch_max_wait_ms: int = Field(default=50, ge=0)
    """How long the broker may hold a fetch that finds nothing new (the latency floor of an
    idle partition when the broker does not answer as soon as data arrives)."""

    retry_initial_seconds: float = 0.2
    retry_max_seconds: float = 30.0
    retry_budget_seconds: float = 10.0
    """How long a batch retries in place before the consumer pauses its partitions and
    backs off (0.2 s doubling to ``retry_max_seconds``), keeping its group membership."""

    outbox_batch_size: int = Field(default=2000, ge=1)
    outbox_idle_seconds: float = 0.2
    expiry_sweep_seconds: float = Field(default=3600.0, ge=0)
    """How often a consumer process sweeps expired points (0: never; ``loyalty expire`` still
    works)."""

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    http_workers: int = Field(default=1, ge=1, le=64)
    """API processes sharing the port (SO_REUSEPORT): this one and ``http_workers - 1``
    children running ``loyalty serve --role api``."""
    http_reuse_port: bool = False
    """Bind the API port with SO_REUSEPORT even as a single worker: set for the extra workers,
    which share their parent's port (a plain bind beside it fails with 'address in use')."""
    management_port: int = Field(default=8081, ge=0, le=65535)
    """The consumer role's /healthz, /readyz and /metrics, on ``http_host`` (0: any free port)."""
    http_max_body_bytes: int = Field(default=64 * 1024, ge=1)
    """Largest request body the API reads (413 beyond); its bodies are a few hundred bytes."""
    jwt_secret: str | None = None
    """HS256 key for bearer tokens (dev and simple deployments)."""
    jwt_public_key: str | None = None
    """RS256 public key (PEM text) for production; when set, only RS256 tokens are accepted."""
    jwt_audience: str | None = None
    """When set, a token's ``aud`` must name it (a token minted for another service is refused)."""
    jwt_issuer: str | None = None
    """When set, a token's ``iss`` must be exactly this."""
    jwt_max_lifetime_seconds: int | None = Field(default=None, ge=1)
    """When set, a token must carry ``iat`` and live (``exp - iat``) no longer than this."""
    shutdown_timeout_seconds: float = 15.0

    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _retries_fit_in_a_poll_interval(self) -> Settings:
        # A batch being retried must finish (or give up and be redelivered) before the group
        # coordinator decides the consumer is dead and hands its partitions to another.
        if self.retry_budget_seconds * 1000 >= self.consumer_max_poll_interval_ms * 0.8:
            raise ValueError(
                "retry_budget_seconds must stay well under consumer_max_poll_interval_ms"
            )
        return self

    @model_validator(mode="after")
    def _kafka_security_can_work(self) -> Settings:
        self.kafka_security()  # a missing file or credential stops the process at start
        return self

    def kafka_security(self) -> KafkaSecurity:
        def revealed(secret: SecretStr | None) -> str | None:
            return secret.get_secret_value() if secret is not None else None

        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=revealed(self.kafka_sasl_password),
            ssl_ca_file=self.kafka_ssl_ca_file,
            ssl_cert_file=self.kafka_ssl_cert_file,
            ssl_key_file=self.kafka_ssl_key_file,
            ssl_key_password=revealed(self.kafka_ssl_key_password),
        )

    def inbound_topics(self) -> dict[str, EventKind]:
        return {
            self.topic_sale_completed: EventKind.SALE_COMPLETED,
            self.topic_customer_return_created: EventKind.CUSTOMER_RETURN_CREATED,
            self.topic_bill_paid: EventKind.BILL_PAID,
            self.topic_bill_refunded: EventKind.BILL_REFUNDED,
            self.topic_sale_cancelled: EventKind.SALE_CANCELLED,
        }

    def as_env(self) -> dict[str, str]:
        """These settings as ``LOYALTY_*`` environment variables (for child processes), over
        the current environment without its own ``LOYALTY_*`` variables."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOYALTY_")}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):  # a child needs the secret, not its mask
                value = value.get_secret_value()
            if value is not None:
                env[f"LOYALTY_{name.upper()}"] = str(value)
        return env

    def all_topics(self) -> list[str]:
        inbound = list(self.inbound_topics())
        return [*inbound, *(t + self.dead_letter_suffix for t in inbound), self.topic_ledger]
