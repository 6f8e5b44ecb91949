#!/usr/bin/env bash
# Runs the whole Spillway pipeline on this machine: a real Kafka broker (KRaft), PostgreSQL and
# Redis (the local servers if they answer, else embedded ones), ingest-api, workers and
# streams-app. Every SPILLWAY_* variable that is set is used (an existing broker, database or
# Redis); embedded parts start only for the rest. Ctrl-C, SIGINT or SIGTERM stops everything it
# started. Works in the foreground or in the background without a terminal.
#
# Usage: scripts/run-local.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/java.sh
source scripts/lib/http.sh
source scripts/lib/build.sh

BUILD=1
for arg in "$@"; do
  case $arg in
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-local: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

spillway_find_java
(( BUILD )) && spillway_build_if_needed

STATE=${SPILLWAY_DEVSTACK_DIR:-$ROOT/.devstack}
export SPILLWAY_DEVSTACK_DIR=$STATE
LOGS=$STATE/logs
mkdir -p "$LOGS"
export SPILLWAY_HTTP_PORT=${SPILLWAY_HTTP_PORT:-8080}
export SPILLWAY_STATS_PORT=${SPILLWAY_STATS_PORT:-8081}
export SPILLWAY_METRICS_PORT=${SPILLWAY_METRICS_PORT:-8082}

declare -A PIDS=() STARTS=() RESTARTS=()
STOPPING=0

stop_all() {
  (( STOPPING )) && return
  STOPPING=1
  echo
  echo "run-local: stopping…"
  local name pid
  for name in streams-app workers ingest-api; do
    pid=${PIDS[$name]:-}
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for name in streams-app workers ingest-api; do
    pid=${PIDS[$name]:-}
    [[ -n $pid ]] && wait_gone "$pid" 30
  done
  pid=${PIDS[devstack]:-}
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 90
  fi
  echo "run-local: stopped; logs are in $LOGS"
}

wait_gone() { # PID SECONDS: wait for a process to end, SIGKILL it after SECONDS
  local pid=$1 i
  for (( i = 0; i < $2 * 10; i++ )); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

start_service() { # NAME JAR HEAP
  local name=$1 jar=$2 heap=$3
  "$JAVA" -Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -jar "$jar" >>"$LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
  STARTS[$name]=$(date +%s)
}

await_ready() { # NAME URL SECONDS
  local name=$1 url=$2 i
  for (( i = 0; i < $3 * 4; i++ )); do
    [[ $(http_status "$url") == 200 ]] && return 0
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      echo "run-local: $name exited during start-up; last lines of $LOGS/$name.log:" >&2
      tail -n 30 "$LOGS/$name.log" >&2
      return 1
    fi
    sleep 0.25
  done
  echo "run-local: $name was not ready at $url within $3 s; see $LOGS/$name.log" >&2
  return 1
}

echo "run-local: starting the devstack (Kafka, PostgreSQL, Redis) — logs in $LOGS"
rm -f "$STATE/env"
"$JAVA" -Xmx512m -jar devstack/target/spillway-devstack.jar --env-file "$STATE/env" >>"$LOGS/devstack.log" 2>&1 &
PIDS[devstack]=$!
for (( i = 0; i < 720; i++ )); do
  [[ -f $STATE/env ]] && break
  if ! kill -0 "${PIDS[devstack]}" 2>/dev/null; then
    echo "run-local: the devstack failed to start; last lines of $LOGS/devstack.log:" >&2
    tail -n 30 "$LOGS/devstack.log" >&2
    exit 1
  fi
  sleep 0.25
done
[[ -f $STATE/env ]] || { echo "run-local: the devstack did not become ready in 180 s" >&2; exit 1; }
set -a; source "$STATE/env"; set +a

if [[ -z ${SPILLWAY_API_KEYS:-} ]]; then
  if [[ ! -s $STATE/demo-api-key ]]; then
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | sed 's/^/sk_demo_/' >"$STATE/demo-api-key"
  fi
  export SPILLWAY_API_KEYS="demo:$(cat "$STATE/demo-api-key")"
fi
API_KEY=${SPILLWAY_API_KEYS#*:}; API_KEY=${API_KEY%%,*}

start_service ingest-api ingest-api/target/spillway-ingest-api.jar 1g
start_service workers workers/target/spillway-workers.jar 1g
start_service streams-app streams-app/target/spillway-streams-app.jar 768m
await_ready ingest-api "http://127.0.0.1:$SPILLWAY_HTTP_PORT/readyz" 120
await_ready workers "http://127.0.0.1:$SPILLWAY_METRICS_PORT/readyz" 120
await_ready streams-app "http://127.0.0.1:$SPILLWAY_STATS_PORT/readyz" 180

API=http://127.0.0.1:$SPILLWAY_HTTP_PORT
cat <<BANNER

Spillway is running.
  API          $API          (key: $API_KEY, tenant: ${SPILLWAY_API_KEYS%%:*})
  Stats + live http://127.0.0.1:$SPILLWAY_STATS_PORT/
  Worker stats http://127.0.0.1:$SPILLWAY_METRICS_PORT/metrics
  Infra        Kafka $SPILLWAY_KAFKA_BOOTSTRAP, PostgreSQL $SPILLWAY_PG_URL, Redis $SPILLWAY_REDIS_URL
  Logs         $LOGS

Submit a prediction:
  curl -s -X POST $API/v1/jobs/prediction -H 'Authorization: Bearer $API_KEY' -H 'Content-Type: application/json' -d '{"model":"default","features":{"basket_total":129.5,"items":3,"account_age_days":420}}'
Poll it (put the jobId from the answer in place of JOB_ID):
  curl -s '$API/v1/jobs/JOB_ID?waitMs=5000' -H 'Authorization: Bearer $API_KEY'

Press Ctrl-C to stop everything.
BANNER

# Supervise: a service that dies is reported and restarted with a backoff, as an orchestrator would.
declare -A JARS=([ingest-api]=ingest-api/target/spillway-ingest-api.jar [workers]=workers/target/spillway-workers.jar [streams-app]=streams-app/target/spillway-streams-app.jar)
declare -A HEAPS=([ingest-api]=1g [workers]=1g [streams-app]=768m)
while true; do
  if ! kill -0 "${PIDS[devstack]}" 2>/dev/null; then
    echo "run-local: the devstack exited; stopping everything (see $LOGS/devstack.log)" >&2
    exit 1
  fi
  for name in ingest-api workers streams-app; do
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      wait "${PIDS[$name]}" 2>/dev/null && code=0 || code=$?
      restarts=${RESTARTS[$name]:-0}
      # a service that ran for a minute gets a fresh backoff
      (( $(date +%s) - ${STARTS[$name]} > 60 )) && restarts=0
      delay=$(( restarts < 5 ? 1 << restarts : 30 ))
      echo "run-local: $name exited with status $code; restarting in ${delay}s (restart $((restarts + 1)))" >&2
      sleep "$delay" & wait $!
      RESTARTS[$name]=$(( restarts + 1 ))
      start_service "$name" "${JARS[$name]}" "${HEAPS[$name]}"
    fi
  done
  sleep 1 & wait $!
done
