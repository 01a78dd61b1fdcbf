#!/bin/sh
# Creates the platform's Kafka topics; idempotent (existing topics are left as they are).
# Shared by docker-compose.yml (the `topics` service) and deploy/k8s (the antq-topics Job).
# Runs in the apache/kafka image, or anywhere kafka-topics.sh is available.
#
# Environment:
#   KAFKA_BOOTSTRAP           broker list host:port[,host:port]       default kafka:9092
#   KAFKA_TOPIC_PREFIX        prefix for every topic name; must match the services' KAFKA_TOPIC_PREFIX
#   KAFKA_COMMAND_CONFIG      client properties file (SSL/SASL settings), passed as --command-config
#   KAFKA_REPLICATION_FACTOR  replication factor; empty = the broker's default.replication.factor
#   KAFKA_TOPICS_BIN          kafka-topics.sh to run                  default /opt/kafka/bin/kafka-topics.sh
#   KAFKA_WAIT_SECONDS        how long to wait for the broker          default 120
set -eu

# The topic list: name, partitions, retention.ms (-1 = keep forever).
# KEEP IN STEP WITH allTopics() in libs/contracts/src/topics.ts: event topics come from
# EVENT_TOPICS, and every service in SERVICES has a dead-letter topic antq.<service>.dlq
# (1 partition, 30 days). When an event topic or a service is added there, add it here.
TOPICS='
antq.units-registry.events    6  -1
antq.assessments.events       6  -1
antq.campaigns.events         6  -1
antq.notifications.events     6  -1
antq.units-registry.dlq       1  2592000000
antq.assessments.dlq          1  2592000000
antq.campaigns.dlq            1  2592000000
antq.notifications.dlq        1  2592000000
'

BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
PREFIX="${KAFKA_TOPIC_PREFIX:-}"
BIN="${KAFKA_TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}"
WAIT_SECONDS="${KAFKA_WAIT_SECONDS:-120}"

log() { echo "topics.sh: $*"; }

case "$PREFIX" in
  *[!a-zA-Z0-9._-]*) log "KAFKA_TOPIC_PREFIX may hold letters, digits, dot, dash, underscore (got '$PREFIX')" >&2; exit 2 ;;
esac

# kafka-topics.sh with the bootstrap servers and, when given, the client properties.
kt() {
  if [ -n "${KAFKA_COMMAND_CONFIG:-}" ]; then
    "$BIN" --bootstrap-server "$BOOTSTRAP" --command-config "$KAFKA_COMMAND_CONFIG" "$@"
  else
    "$BIN" --bootstrap-server "$BOOTSTRAP" "$@"
  fi
}

# One probe: list the topics, giving up after 15 s (the tool alone waits 60 s).
probe() {
  if command -v timeout >/dev/null 2>&1; then
    if [ -n "${KAFKA_COMMAND_CONFIG:-}" ]; then set -- --command-config "$KAFKA_COMMAND_CONFIG"; fi
    timeout 15 "$BIN" --bootstrap-server "$BOOTSTRAP" "$@" --list
  else
    kt --list
  fi
}

log "waiting for Kafka at $BOOTSTRAP"
start=$(date +%s)
until probe >/dev/null 2>&1; do
  if [ $(($(date +%s) - start)) -ge "$WAIT_SECONDS" ]; then
    log "Kafka at $BOOTSTRAP did not answer within ${WAIT_SECONDS}s" >&2
    exit 1
  fi
  sleep 2
done

created=""
while read -r name partitions retention; do
  [ -n "$name" ] || continue
  if [ -n "${KAFKA_REPLICATION_FACTOR:-}" ]; then
    set -- --replication-factor "$KAFKA_REPLICATION_FACTOR"
  else
    set --
  fi
  # </dev/null: the tool must not read the rest of the list from stdin.
  kt --create --if-not-exists --topic "$PREFIX$name" --partitions "$partitions" \
    --config "retention.ms=$retention" "$@" </dev/null
  created="$created $PREFIX$name"
done <<EOF_TOPICS
$TOPICS
EOF_TOPICS
log "topics present:$created"
