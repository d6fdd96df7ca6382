#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft) from Maven Central jars, run with java. No Docker needed.
#   kafka.sh fetch   copy the broker's jars into lib/ (mvn, once)
#   kafka.sh start   fetch if needed, format storage once, start, wait until the broker answers
#                    (reuses a running broker), print the bootstrap address. The broker runs in a
#                    session of its own (setsid): Ctrl-C or a closed terminal do not reach it.
#   kafka.sh stop    SIGTERM by PID (clean shutdown), wait for exit
#   kafka.sh status
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (<repo>/.data/kafka)
#   KAFKA_SECURE=1: clients connect with TLS and SASL/SCRAM-SHA-512, as to a production cluster
#   (docs/deploying.md). A self-signed certificate for 127.0.0.1 is made on the first start; the CA
#   for clients (NODE_EXTRA_CA_CERTS) is <data>/secure/ca.pem, the SASL user `switchboard`, its
#   password in <data>/secure/sasl-password. Brokers talk among themselves on KAFKA_INTERNAL_PORT
#   (port + 1000), in plain text on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
data="${KAFKA_DATA_DIR:-$repo/.data/kafka}"
run="$data/run"
pidfile="$run/kafka.pid"
lib="$here/lib"
secure="${KAFKA_SECURE:-0}"
iport="${KAFKA_INTERNAL_PORT:-$((port + 1000))}"
tls="$data/secure"

log() { printf '[kafka] %s\n' "$*" >&2; }

fetch() {
  if [ -f "$lib/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: install Maven (apt-get install maven) or set KAFKA_BROKERS"; exit 1; }
  command -v java >/dev/null || { log "java not found: install Java 17+ or set KAFKA_BROKERS"; exit 1; }
  log "fetching broker jars from Maven Central into $lib"
  rm -rf "$lib"
  # stdout is reserved for the bootstrap address that `start` prints: Maven's output goes to stderr,
  # without colour codes (even -q writes ANSI resets to stdout).
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" >&2
  touch "$lib/.complete"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

write_config() {
  mkdir -p "$run" "$data/logs"
  cat > "$run/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
$(listener_config)
controller.listener.names=CONTROLLER
log.dirs=$data/logs
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=67108864
PROPS
  cat > "$run/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
PROPS
}

java_args() {
  printf '%s\n' -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true -Dkafka.logs.dir="$run" \
    -Dlog4j.configuration="file:$run/log4j.properties" -cp "$lib/*"
}

listener_config() {
  if [ "$secure" != 1 ]; then
    cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
PROPS
    return
  fi
  local pass; pass="$(cat "$tls/keystore-password")"
  cat <<PROPS
listeners=SASL_SSL://127.0.0.1:$port,INTERNAL://127.0.0.1:$iport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=SASL_SSL://127.0.0.1:$port,INTERNAL://127.0.0.1:$iport
listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/broker.p12
ssl.keystore.password=$pass
ssl.key.password=$pass
PROPS
}

# The broker's key and self-signed certificate (which clients trust as their CA), and the SASL password.
make_secrets() {
  [ "$secure" = 1 ] || return 0
  [ -f "$tls/broker.p12" ] && return 0
  mkdir -p "$tls"
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$tls/keystore-password"
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$tls/sasl-password"
  chmod 600 "$tls/keystore-password" "$tls/sasl-password"
  local pass; pass="$(cat "$tls/keystore-password")"
  keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -dname "CN=127.0.0.1" \
    -ext "SAN=IP:127.0.0.1,DNS:localhost" -keystore "$tls/broker.p12" -storetype PKCS12 \
    -storepass "$pass" -keypass "$pass" >/dev/null 2>&1
  keytool -exportcert -rfc -alias broker -keystore "$tls/broker.p12" -storepass "$pass" -file "$tls/ca.pem" >/dev/null 2>&1
}

# SCRAM credentials live in the cluster's metadata: KRaft takes the first ones when storage is formatted.
format_args() {
  [ "$secure" = 1 ] || return 0
  printf '%s\n' --add-scram "SCRAM-SHA-512=[name=switchboard,password=$(cat "$tls/sasl-password")]"
}

kjava() { local args; mapfile -t args < <(java_args); exec java "${args[@]}" "$@"; }

# The broker in a new session (setsid), so it has no controlling terminal and is in no process group
# of the caller's: Ctrl-C on `pnpm start` (SIGINT to the terminal's foreground group) and a closed
# terminal (SIGHUP) leave it running. The shell it starts writes its own PID and then becomes java
# (exec), so the PID file names the broker whether or not setsid had to fork.
start_broker() {
  rm -f "$pidfile"
  local args; mapfile -t args < <(java_args)
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" java "${args[@]}" kafka.Kafka "$run/server.properties" \
    </dev/null >"$run/stdout.log" 2>&1 &
  for _ in $(seq 1 100); do [ -s "$pidfile" ] && return 0; sleep 0.05; done
  log "the broker process did not start; see $run/stdout.log"; exit 1
}

start() {
  if running; then log "already running (pid $(cat "$pidfile"))"; echo "127.0.0.1:$port"; return 0; fi
  if port_open; then log "something already listens on 127.0.0.1:$port; using it"; echo "127.0.0.1:$port"; return 0; fi
  fetch
  make_secrets
  write_config
  if [ ! -f "$data/logs/meta.properties" ]; then
    [ -f "$data/cluster-id" ] || (kjava kafka.tools.StorageTool random-uuid 2>/dev/null) | tail -n 1 > "$data/cluster-id"
    local extra; mapfile -t extra < <(format_args)
    (kjava kafka.tools.StorageTool format -t "$(cat "$data/cluster-id")" -c "$run/server.properties" "${extra[@]}") >"$run/format.log" 2>&1 \
      || { log "storage format failed:"; cat "$run/format.log" >&2; exit 1; }
  fi
  : > "$run/server.log"
  start_broker
  log "started pid $(cat "$pidfile") in its own session (it outlives this terminal; kafka.sh stop stops it), waiting for it to be ready"
  for _ in $(seq 1 240); do
    if grep -q 'Kafka Server started' "$run/server.log" 2>/dev/null && port_open; then
      log "ready on 127.0.0.1:$port"
      [ "$secure" = 1 ] && log "TLS and SASL/SCRAM-SHA-512: CA $tls/ca.pem, user switchboard, password in $tls/sasl-password"
      echo "127.0.0.1:$port"; return 0
    fi
    if ! running; then log "broker exited during start-up:"; tail -n 40 "$run/stdout.log" "$run/server.log" >&2; exit 1; fi
    sleep 0.5
  done
  log "not ready after 120 s; see $run/server.log"; exit 1
}

stop() {
  if ! running; then log "not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "stopped"; return 0; }; sleep 0.5; done
  log "still running after 60 s; sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running pid $(cat "$pidfile") on 127.0.0.1:$port"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
