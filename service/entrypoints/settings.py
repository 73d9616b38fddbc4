"""Settings from the environment (``LOYALTY_`` prefix) and ``.loyalty/dev.env``."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.kafka.security import KafkaSecurity, SaslMechanism, SecurityProtocol
from adapters.phone_numbers import known_region
from domain.events import EventKind

DEV_ENV_FILE = ".loyalty/dev.env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOYALTY_",
        env_file=DEV_ENV_FILE,
        extra="ignore",
        frozen=True,
        # The docstrings below are the fields' descriptions (README "Settings" lists them).
        use_attribute_docstrings=True,
    )

    database_url: str = "postgresql://postgres@127.0.0.1:5432/loyalty"
    """PostgreSQL the service keeps its ledger in (libpq URL; a secret in deployments)."""
    database_pool_min: int = Field(default=1, ge=1)
    """Connections each process keeps open to PostgreSQL."""
    database_pool_max: int = Field(default=10, ge=1)
    """Most connections each process opens to PostgreSQL."""

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    """Kafka brokers to bootstrap from, comma-separated host:port."""
    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    """How every Kafka client (consumer, producers, admin, the CLI's readers) reaches the
    brokers: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (``adapters.kafka.security``)."""
    kafka_sasl_mechanism: SaslMechanism = "PLAIN"
    """SASL mechanism under SASL_*: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512."""
    kafka_sasl_username: str | None = None
    """SASL user name (required under SASL_*)."""
    kafka_sasl_password: SecretStr | None = None
    """SASL password (required under SASL_*; never logged)."""
    kafka_ssl_ca_file: str | None = None
    """PEM CA bundle for the brokers' certificates (unset: the system's trusted CAs)."""
    kafka_ssl_cert_file: str | None = None
    """PEM client certificate, for listeners that authenticate clients by certificate."""
    kafka_ssl_key_file: str | None = None
    """PEM private key of the client certificate (given with it)."""
    kafka_ssl_key_password: SecretStr | None = None
    """Password of an encrypted client key (never logged)."""
    consumer_group: str = "loyalty-points"
    """Kafka consumer group of the consumers (redrive uses it with ``-redrive``)."""
    topic_sale_completed: str = "sale.completed"
    """Inbound topic of completed sales."""
    topic_customer_return_created: str = "customer-return.created"
    """Inbound topic of customer returns."""
    topic_bill_paid: str = "bill.paid"
    """Inbound topic of paid restaurant bills."""
    topic_bill_refunded: str = "bill.refunded"
    """Inbound topic of refunded restaurant bills."""
    topic_sale_cancelled: str = "sale.cancelled"
    """Inbound topic of cancelled sales."""
    topic_customer_updated: str = "customer.updated"
    """Inbound topic of customers created or changed upstream (names and identifiers)."""
    topic_ledger: str = "loyalty.ledger"
    """Outbound topic every ledger entry is published on, keyed by account."""
    dead_letter_suffix: str = ".dlq"
    """Appended to an inbound topic's name to name its dead-letter topic."""
    max_redrives: int = Field(default=3, ge=0)
    """Times ``loyalty dlq redrive`` sends one letter back before leaving it put."""
    topic_partitions: int = Field(default=3, ge=1)
    """Partitions of the topics ``loyalty dev`` creates (deploy/topics.tsv sets them elsewhere)."""
    batch_max_records: int = Field(default=2000, ge=1)
    """Most events applied in one transaction. Under a backlog 2,000 earned more per
    second than 500 on the bench (fewer round trips to the database and the broker per event);
    at a steady trickle batches stay as small as what has arrived."""
    gc_young_threshold: int = Field(default=50_000, ge=1)
    """Allocations between the garbage collector's young collections (CPython's default is
    700; see ``service.entrypoints.runtime.tune_garbage_collector``)."""
    consumer_session_timeout_ms: int = Field(default=10_000, ge=1000)
    """Kafka group session timeout: silence after which the group drops a consumer."""
    consumer_heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    """How often a consumer heartbeats to its group coordinator."""
    consumer_max_poll_interval_ms: int = Field(default=300_000, ge=1000)
    """Longest gap between polls before the group hands a consumer's partitions on."""
    consumer_fetch_max_wait_ms: int = Field(default=50, ge=0)
    """How long the broker may hold a fetch that finds nothing new (the latency floor of an
    idle partition when the broker does not answer as soon as data arrives)."""

    retry_initial_seconds: float = 0.2
    """First delay before retrying a transient failure (it doubles each time)."""
    retry_max_seconds: float = 30.0
    """Longest delay between retries and partition pauses."""
    retry_budget_seconds: float = 10.0
    """How long a batch retries in place before the consumer pauses its partitions and
    backs off (0.2 s doubling to ``retry_max_seconds``), keeping its group membership."""

    outbox_batch_size: int = Field(default=2000, ge=1)
    """Most outbox entries a relay claims and publishes per shard at a time."""
    outbox_idle_seconds: float = 0.2
    """How long the outbox relay waits when it found nothing to publish."""
    expiry_sweep_seconds: float = Field(default=3600.0, ge=0)
    """How often a consumer process sweeps expired points (0: never; ``loyalty expire`` still
    works)."""
    webhook_retry_seconds: float = Field(default=60.0, gt=0)
    """First wait before a failed webhook delivery is tried again (it doubles each time)."""
    webhook_retry_max_seconds: float = Field(default=21600.0, gt=0)
    """Longest wait between two attempts of a webhook delivery."""
    webhook_max_attempts: int = Field(default=15, ge=1)
    """Attempts before a webhook delivery is failed (a manager can redeliver it)."""
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    """How long a webhook receiver has to answer."""
    webhook_idle_seconds: float = Field(default=1.0, gt=0)
    """How long the webhook worker waits when it found nothing to do."""
    webhook_allow_http: bool = False
    """Allow http:// webhook endpoints (never on a public network)."""
    webhook_allow_private: bool = False
    """Allow webhook endpoints on this machine or private addresses (a receiver in the cluster;
    `loyalty dev` allows them): else a manager could make the service post there."""
    simulations_api: bool = False
    """Serve ``POST /v1/simulations`` (managers' what-ifs). Each request makes two databases:
    the database user needs CREATEDB."""
    phone_region: str = Field(default="GB", pattern="^[A-Z]{2}$")
    """Country (ISO 3166 alpha-2) a phone number without a country code is read in: at the
    till, in sales and bills naming a phone, in customer.updated. Changing it changes which
    account a national number finds (the stored identifiers are E.164 and stay)."""
    attribution_retention_days: int = Field(default=90, ge=1)
    """Days an entry keeps the IP address and user agent of the request that made it
    (``loyalty erase-attribution`` clears older ones)."""

    http_host: str = "127.0.0.1"
    """Interface the API and the management server bind (0.0.0.0 in containers)."""
    http_port: int = Field(default=8080, ge=0, le=65535)
    """Port of the HTTP API (roles api and all), also its /healthz, /readyz, /metrics."""
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
    """On SIGTERM: time to finish the batch and drain the outbox before exiting."""

    log_format: Literal["auto", "json", "console"] = "auto"
    """Log lines as JSON or for a console (auto: console on a terminal, else JSON)."""
    log_level: str = "INFO"
    """Lowest level logged (DEBUG, INFO, WARNING, ERROR)."""

    @field_validator("phone_region")
    @classmethod
    def _a_region_with_phone_numbers(cls, region: str) -> str:
        return known_region(region)

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
            self.topic_customer_updated: EventKind.CUSTOMER_UPDATED,
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
