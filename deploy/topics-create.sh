#!/bin/sh
# Compose's topic init step: create every topic of topics.tsv (idempotent; run in the Kafka image).
set -eu
BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:19092}"
TOPICS_FILE="${TOPICS_FILE:-/deploy/topics.tsv}"
KAFKA_TOPICS="${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
grep -v '^#' "$TOPICS_FILE" | while IFS="$(printf '\t')" read -r name partitions retention_ms role; do
    [ -n "$name" ] || continue
    "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
        --topic "$name" --partitions "$partitions" --replication-factor 1 \
        --config "retention.ms=$retention_ms"
    echo "topic $name ($role): $partitions partitions, retention.ms=$retention_ms"
done
