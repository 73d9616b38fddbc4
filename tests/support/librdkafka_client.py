"""A second Kafka client, librdkafka through confluent-kafka: what upstream teams on
librdkafka, Java or Go see of our broker, as commands the README shows.

    python -m tests.support.librdkafka_client produce TOPIC FILE [--key KEY]
    python -m tests.support.librdkafka_client consume TOPIC [--group G] [--max N]

The broker is ``-b`` or LOYALTY_KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092). ``produce``
sends the file's bytes as one message; ``consume`` reads from the start until the topic is
idle and prints each record's headers (name=value) and value, one record per paragraph.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from confluent_kafka import Consumer, KafkaException, Message, Producer

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def produce(bootstrap: str, topic: str, value: bytes, key: bytes | None = None) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    failed: list[str] = []

    def delivered(error: object, message: Message) -> None:
        if error is not None:
            failed.append(str(error))

    producer.produce(topic, value=value, key=key, on_delivery=delivered)
    if producer.flush(30) or failed:
        raise KafkaException(f"not delivered to {topic}: {failed or 'timed out'}")


def consume(
    bootstrap: str, topic: str, group: str, at_most: int, idle_seconds: float = 5.0
) -> list[Message]:
    """Records from the start (for a new group), committing the group's offsets as read."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    assigned: list[bool] = []
    consumer.subscribe([topic], on_assign=lambda _consumer, _parts: assigned.append(True))
    records: list[Message] = []
    deadline = time.monotonic() + 60  # joining a group takes a rebalance or two
    try:
        quiet_since = time.monotonic()
        while len(records) < at_most and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if not assigned:
                quiet_since = time.monotonic()  # idle counts from the assignment on
                continue
            if message is None:
                if time.monotonic() - quiet_since >= idle_seconds:
                    break
                continue
            if message.error():
                raise KafkaException(message.error())
            records.append(message)
            consumer.commit(message=message, asynchronous=False)
            quiet_since = time.monotonic()
    finally:
        consumer.close()
    return records


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")


def _show(message: Message) -> str:
    pairs: list[tuple[str, object]] = list(message.headers() or [])  # type: ignore[arg-type]
    lines = [f"{name}={_text(value)}" for name, value in pairs]
    return "\n".join([*lines, _text(message.value())]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.librdkafka_client")
    parser.add_argument("-b", "--bootstrap", default=None)
    commands = parser.add_subparsers(dest="command", required=True)
    producing = commands.add_parser("produce")
    producing.add_argument("topic")
    producing.add_argument("file", type=Path)
    producing.add_argument("--key")
    consuming = commands.add_parser("consume")
    consuming.add_argument("topic")
    consuming.add_argument("--group", default=f"librdkafka-reader-{os.getpid()}")
    consuming.add_argument("--max", type=int, default=1000)
    args = parser.parse_args(argv)
    bootstrap = args.bootstrap or os.environ.get(
        "LOYALTY_KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP
    )
    if args.command == "produce":
        key = args.key.encode() if args.key else None
        produce(bootstrap, args.topic, args.file.read_bytes().strip(), key)
        print(f"produced 1 message to {args.topic}")
    else:
        for message in consume(bootstrap, args.topic, args.group, args.max):
            print(_show(message))
    return 0


if __name__ == "__main__":
    sys.exit(main())
