#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller) from Maven Central jars,
# run with plain `java` -- no Docker needed.
#
# Usage: tools/kafka/kafka.sh {fetch|up|down|status|reset}
#
#   fetch   copy the broker jars into tools/kafka/.cache/libs (once; redone if pom.xml changes)
#   up      start a broker in the background and wait until its client port answers
#           (idempotent: a running broker for the same data dir is left alone)
#   down    SIGTERM the broker, wait up to 30 s (then SIGKILL); idempotent
#   status  print running/stopped; exit 0 if running (pid alive and port answering), else 1
#   reset   down, then delete the data dir
#
# Environment:
#   KAFKA_PORT             client (PLAINTEXT) port         default 19092
#   KAFKA_CONTROLLER_PORT  KRaft controller port           default 19093
#   KAFKA_DATA_DIR         data dir (config, logs, pid)    default tools/kafka/.data
#                          (a relative value is taken relative to the current directory)
#   KAFKA_NUM_PARTITIONS   num.partitions default          default 6
#   KAFKA_HEAP_OPTS        JVM heap flags                  default -Xms256m -Xmx768m
#   KAFKA_JVM_OPTS         extra JVM flags                 default -XX:+UseSerialGC
#   KAFKA_START_TIMEOUT    seconds to wait for the port    default 60
#   JAVA_HOME              java to use (else `java` on PATH)
#
# Several brokers can run side by side with different KAFKA_PORT/KAFKA_CONTROLLER_PORT/
# KAFKA_DATA_DIR. Everything a broker owns (server.properties, broker.log, broker.pid,
# the KRaft log dirs) lives in its data dir.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
POM="$SCRIPT_DIR/pom.xml"
LOG4J="$SCRIPT_DIR/log4j.properties"
CACHE_DIR="$SCRIPT_DIR/.cache"
LIBS_DIR="$CACHE_DIR/libs"

KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-6}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
# Full tiered JIT (no -XX:TieredStopAtLevel=1): C1-only starts ~no faster here but
# costs steady-state throughput, and the broker is benchmarked.
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseSerialGC}"

DATA_DIR="${KAFKA_DATA_DIR:-$SCRIPT_DIR/.data}"
case "$DATA_DIR" in
  /*) ;;
  *) DATA_DIR="$PWD/$DATA_DIR" ;;
esac
DATA_DIR="${DATA_DIR%/}"
PID_FILE="$DATA_DIR/broker.pid"
PORT_FILE="$DATA_DIR/broker.port"
BROKER_LOG="$DATA_DIR/broker.log"
SERVER_PROPS="$DATA_DIR/server.properties"
KRAFT_DIR="$DATA_DIR/kraft"   # log.dirs; a subdir so our own files don't sit in it

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

log() { echo "kafka.sh: $*"; }
err() { echo "kafka.sh: error: $*" >&2; }

for v in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_NUM_PARTITIONS KAFKA_START_TIMEOUT; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]]; then
    err "$v must be a number (got '${!v}')"
    exit 2
  fi
done
if [[ "$KAFKA_PORT" == "$KAFKA_CONTROLLER_PORT" ]]; then
  err "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  exit 2
fi

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Pid from the pid file if that process is alive and is our broker for this data dir.
broker_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be kafka.Kafka with our server.properties.
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "kafka.Kafka $SERVER_PROPS" || return 1
  fi
  echo "$pid"
}

running_port() {
  if [[ -f "$PORT_FILE" ]]; then cat "$PORT_FILE"; else echo "$KAFKA_PORT"; fi
}

cmd_fetch() {
  mkdir -p "$CACHE_DIR"
  local stamp marker
  stamp="$(sha256sum "$POM" | cut -c1-16)"
  marker="$LIBS_DIR/.fetched-$stamp"
  [[ -f "$marker" ]] && return 0
  (
    # Serialize concurrent fetches (parallel test runs starting their own brokers).
    flock 9
    [[ -f "$marker" ]] && exit 0
    log "fetching Kafka jars from Maven Central into $LIBS_DIR"
    local tmp="$CACHE_DIR/libs.tmp.$$"
    rm -rf "$tmp"
    # Maven prints its errors on stdout (and stray colour codes even with -q): keep it
    # in a log and show it only on failure.
    if ! mvn -B -q -Dstyle.color=never -f "$POM" \
        org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$CACHE_DIR/fetch.log" 2>&1; then
      rm -rf "$tmp"
      err "maven copy-dependencies failed; output:"
      cat "$CACHE_DIR/fetch.log" >&2
      exit 1
    fi
    touch "$tmp/.fetched-$stamp"
    rm -rf "$LIBS_DIR"
    mv "$tmp" "$LIBS_DIR"
  ) 9>"$CACHE_DIR/fetch.lock"
}

write_server_properties() {
  cat >"$SERVER_PROPS.tmp" <<EOF
# Written by tools/kafka/kafka.sh on every 'up'; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KRAFT_DIR

num.partitions=$KAFKA_NUM_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
# Topics are declared and created by the project (admin createTopics).
auto.create.topics.enable=false
EOF
  mv "$SERVER_PROPS.tmp" "$SERVER_PROPS"
}

java_opts() {
  # shellcheck disable=SC2206
  JAVA_OPTS=($KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS
    -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$LOG4J"
    "-Dkafka.logs.dir=$DATA_DIR")
}

# One 'up'/'down' at a time per data dir (fd 8 stays open until the script exits).
lock_data_dir() {
  exec 8>"$DATA_DIR/.kafka-sh.lock"
  if ! flock -w 90 8; then
    err "timed out waiting for another kafka.sh on $DATA_DIR ($DATA_DIR/.kafka-sh.lock)"
    exit 1
  fi
}

cmd_up() {
  mkdir -p "$DATA_DIR"
  lock_data_dir

  local pid port
  if pid="$(broker_pid)"; then
    port="$(running_port)"
    if [[ "$port" != "$KAFKA_PORT" ]]; then
      err "a broker for $DATA_DIR is already running on port $port (pid $pid), not $KAFKA_PORT"
      exit 1
    fi
    if port_open "$port"; then
      log "already running (pid $pid, 127.0.0.1:$port, data $DATA_DIR)"
      return 0
    fi
    log "broker pid $pid is alive but port $port is not answering yet; waiting"
  else
    rm -f "$PID_FILE" "$PORT_FILE"
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
      if port_open "$p"; then
        err "port $p is already in use by another process; set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
        exit 1
      fi
    done

    cmd_fetch
    command -v "$JAVA" >/dev/null 2>&1 || { err "java not found"; exit 1; }
    write_server_properties
    local JAVA_OPTS
    java_opts
    local CP="$LIBS_DIR/*"

    if [[ ! -f "$KRAFT_DIR/meta.properties" ]]; then
      local cluster_id
      if ! cluster_id="$("$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool random-uuid)"; then
        err "kafka.tools.StorageTool random-uuid failed (java or JVM options: $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS)"
        exit 1
      fi
      log "formatting storage in $KRAFT_DIR (cluster id $cluster_id)"
      if ! "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
          -t "$cluster_id" -c "$SERVER_PROPS" --ignore-formatted >"$DATA_DIR/format.log" 2>&1; then
        err "formatting $KRAFT_DIR failed:"
        cat "$DATA_DIR/format.log" >&2
        exit 1
      fi
    fi

    [[ -f "$BROKER_LOG" ]] && mv -f "$BROKER_LOG" "$BROKER_LOG.1"
    nohup "$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$SERVER_PROPS" \
      </dev/null >"$BROKER_LOG" 2>&1 8>&- &   # 8>&-: the broker must not hold the lock
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$KAFKA_PORT" >"$PORT_FILE"
    log "starting broker (pid $pid, 127.0.0.1:$KAFKA_PORT, data $DATA_DIR)"
  fi

  # In 3.9 the client port opens only once the broker can serve requests.
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT)) start=$SECONDS
  until port_open "$KAFKA_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      err "broker exited during startup; last lines of $BROKER_LOG:"
      tail -n 40 "$BROKER_LOG" >&2 || true
      rm -f "$PID_FILE" "$PORT_FILE"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      err "broker did not open 127.0.0.1:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s (pid $pid still running); last lines of $BROKER_LOG:"
      tail -n 40 "$BROKER_LOG" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  log "ready on 127.0.0.1:$KAFKA_PORT after $((SECONDS - start))s"
}

cmd_down() {
  [[ -d "$DATA_DIR" ]] || { log "not running (no data dir)"; return 0; }
  lock_data_dir
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE" "$PORT_FILE"
    log "not running"
    return 0
  fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      err "broker did not exit within 30s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE" "$PORT_FILE"
  log "stopped"
}

cmd_status() {
  local pid port
  if pid="$(broker_pid)"; then
    port="$(running_port)"
    if port_open "$port"; then
      echo "running (pid $pid, 127.0.0.1:$port, data $DATA_DIR)"
      return 0
    fi
    echo "starting (pid $pid, port $port not answering yet, data $DATA_DIR)"
    return 1
  fi
  echo "stopped (data $DATA_DIR)"
  return 1
}

cmd_reset() {
  cmd_down
  if [[ -d "$DATA_DIR" ]]; then
    if [[ "$DATA_DIR" == "/" || "$DATA_DIR" == "$HOME" || "$DATA_DIR" == "$SCRIPT_DIR" ]]; then
      err "refusing to delete $DATA_DIR"
      exit 1
    fi
    # Only delete one of our data dirs: our server.properties, or nothing but our files.
    local others
    # shellcheck disable=SC2010  # names are matched exactly; odd ones only make it refuse
    others="$(ls -A "$DATA_DIR" | grep -vxE '\.lock|\.kafka-sh\.lock|kraft|server\.properties(\.tmp)?|format\.log|broker\.(log|log\.1|pid|port)' || true)"
    if grep -qsF 'Written by tools/kafka/kafka.sh' "$SERVER_PROPS" || [[ -z "$others" ]]; then
      rm -rf "$DATA_DIR"
      log "deleted $DATA_DIR"
    else
      err "$DATA_DIR does not look like a kafka.sh data dir; not deleting"
      exit 1
    fi
  fi
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *)
    echo "usage: $0 {fetch|up|down|status|reset}" >&2
    exit 2
    ;;
esac
