#!/usr/bin/env bash
# Runs the whole Spillway pipeline on this machine: a real Kafka broker (KRaft), PostgreSQL and
# Redis (the local servers if they answer, else embedded ones), ingest-api, workers and
# streams-app. Every SPILLWAY_* variable that is set is used (an existing broker, database or
# Redis); embedded parts start only for the rest. Ctrl-C, SIGINT or SIGTERM stops everything it
# started. Works in the foreground or in the background without a terminal.
#
# Usage: scripts/run-local.sh [--no-build] [--replicas N] [--monitoring]
#   --replicas N   run N ingest-api instances behind nginx on SPILLWAY_HTTP_PORT (installs
#                  Debian's nginx when missing)
#   --monitoring   run Prometheus (Debian's package, installed when missing) on
#                  SPILLWAY_PROMETHEUS_PORT (9090) scraping every local service, with the
#                  alert rules of compose/prometheus/alerts.yml
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/java.sh
source scripts/lib/http.sh
source scripts/lib/build.sh

BUILD=1
REPLICAS=1
MONITORING=0
while (( $# )); do
  case $1 in
    --no-build) BUILD=0 ;;
    --replicas)
      [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || { echo "run-local: --replicas needs a number from 1 to 99" >&2; exit 2; }
      REPLICAS=$2; shift ;;
    --replicas=*)
      REPLICAS=${1#*=}
      [[ $REPLICAS =~ ^[1-9][0-9]?$ ]] || { echo "run-local: --replicas needs a number from 1 to 99" >&2; exit 2; } ;;
    --monitoring) MONITORING=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-local: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
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
SERVICES=()
STOPPING=0
INGEST_BASE_PORT=${SPILLWAY_INGEST_BASE_PORT:-18080}
PROMETHEUS_PORT=${SPILLWAY_PROMETHEUS_PORT:-9090}

stop_all() {
  (( STOPPING )) && return
  STOPPING=1
  echo
  echo "run-local: stopping…"
  local name pid
  for name in "${SERVICES[@]}"; do
    pid=${PIDS[$name]:-}
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for name in "${SERVICES[@]}"; do
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

java_service() { # NAME JAR HEAP [GC]: G1 with a growing heap, or the workers' throughput collector with all of it
  local heap=(-Xms128m "-Xmx$3") gc=${4:-G1}
  [[ $gc == Parallel ]] && heap=("-Xms$3" "-Xmx$3")
  "$JAVA" "${heap[@]}" "-XX:+Use${gc}GC" -XX:+ExitOnOutOfMemoryError "${SERVICE_JVM_OPTS[@]}" -jar "$2" >>"$LOGS/$1.log" 2>&1 &
}

ingest_port() { # NAME -> the port an ingest-api instance listens on
  if [[ $1 == ingest-api ]]; then echo "$SPILLWAY_HTTP_PORT"; else echo $(( INGEST_BASE_PORT + ${1#ingest-api-} - 1 )); fi
}

launch() { # NAME: start one service in the background and remember its pid
  local name=$1
  case $name in
    ingest-api|ingest-api-*)
      SPILLWAY_HTTP_PORT=$(ingest_port "$name") java_service "$name" ingest-api/target/spillway-ingest-api.jar 1g ;;
    workers) java_service workers workers/target/spillway-workers.jar 1g Parallel ;;
    streams-app) java_service streams-app streams-app/target/spillway-streams-app.jar 768m ;;
    nginx) nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -g 'daemon off;' >>"$LOGS/nginx.log" 2>&1 & ;;
    prometheus)
      prometheus --config.file="$STATE/prometheus/prometheus.yml" --storage.tsdb.path="$STATE/prometheus/data" \
        --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >>"$LOGS/prometheus.log" 2>&1 & ;;
  esac
  PIDS[$name]=$!
  STARTS[$name]=$(date +%s)
}

ready_url() { # NAME -> the URL that answers 200 when the service is ready
  case $1 in
    ingest-api|ingest-api-*) echo "http://127.0.0.1:$(ingest_port "$1")/readyz" ;;
    workers) echo "http://127.0.0.1:$SPILLWAY_METRICS_PORT/readyz" ;;
    streams-app) echo "http://127.0.0.1:$SPILLWAY_STATS_PORT/readyz" ;;
    nginx) echo "http://127.0.0.1:$SPILLWAY_HTTP_PORT/nginx-health" ;;
    prometheus) echo "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" ;;
  esac
}

await_ready() { # NAME SECONDS
  local name=$1 url i
  url=$(ready_url "$name")
  for (( i = 0; i < $2 * 4; i++ )); do
    [[ $(http_status "$url") == 200 ]] && return 0
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      echo "run-local: $name exited during start-up; last lines of $LOGS/$name.log:" >&2
      tail -n 30 "$LOGS/$name.log" >&2
      return 1
    fi
    sleep 0.25
  done
  echo "run-local: $name was not ready at $url within $2 s; see $LOGS/$name.log" >&2
  return 1
}

ensure_debian_package() { # COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "run-local: installing Debian's $2 package…"
  if (( EUID == 0 )); then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >>"$LOGS/apt.log" 2>&1
  else
    { sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >>"$LOGS/apt.log" 2>&1
  fi || { echo "run-local: could not install $2 (see $LOGS/apt.log)" >&2; exit 1; }
}

write_nginx_config() {
  mkdir -p "$STATE/nginx/logs"
  local upstreams="" n
  for (( n = 1; n <= REPLICAS; n++ )); do
    upstreams+="    server 127.0.0.1:$(( INGEST_BASE_PORT + n - 1 )) max_fails=3 fail_timeout=10s;"$'\n'
  done
  # the compose configuration with local upstreams and ports
  sed -e "/^  upstream ingest {/,/^  }/c\\  upstream ingest {\\n    least_conn;\\n${upstreams//$'\n'/\\n}    keepalive 256;\\n  }" \
      -e "s/listen 8080;/listen 127.0.0.1:$SPILLWAY_HTTP_PORT;/" \
      -e "s#^events {#pid $STATE/nginx/nginx.pid;\\nerror_log $LOGS/nginx.log warn;\\nevents {#" \
      compose/nginx/nginx.conf >"$STATE/nginx/nginx.conf"
}

write_prometheus_config() {
  mkdir -p "$STATE/prometheus"
  cp compose/prometheus/alerts.yml "$STATE/prometheus/alerts.yml"
  local ingest_targets="" name
  for name in "${SERVICES[@]}"; do
    [[ $name == ingest-api* ]] && ingest_targets+="\"127.0.0.1:$(ingest_port "$name")\", "
  done
  cat >"$STATE/prometheus/prometheus.yml" <<PROM
# written by scripts/run-local.sh --monitoring: compose/prometheus/prometheus.yml with local targets
global: { scrape_interval: 5s, evaluation_interval: 5s, external_labels: { deployment: spillway-local } }
rule_files: [alerts.yml]
scrape_configs:
  - { job_name: ingest-api, static_configs: [ { targets: [${ingest_targets%, }] } ] }
  - { job_name: workers, static_configs: [ { targets: ["127.0.0.1:$SPILLWAY_METRICS_PORT"] } ] }
  - { job_name: streams-app, static_configs: [ { targets: ["127.0.0.1:$SPILLWAY_STATS_PORT"] } ] }
  - { job_name: prometheus, static_configs: [ { targets: ["127.0.0.1:$PROMETHEUS_PORT"] } ] }
PROM
}

if (( REPLICAS > 1 )); then ensure_debian_package nginx nginx; fi
if (( MONITORING )); then ensure_debian_package prometheus prometheus; fi

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
# replicas must agree on the key that signs job ids
if [[ -z ${SPILLWAY_JOB_ID_SECRET:-} ]]; then
  [[ -s $STATE/job-id-secret ]] || od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$STATE/job-id-secret"
  export SPILLWAY_JOB_ID_SECRET=$(cat "$STATE/job-id-secret")
fi

if (( REPLICAS > 1 )); then
  for (( n = 1; n <= REPLICAS; n++ )); do SERVICES+=("ingest-api-$n"); done
else
  SERVICES+=(ingest-api)
fi
SERVICES+=(workers streams-app)
for name in "${SERVICES[@]}"; do launch "$name"; done
for name in "${SERVICES[@]}"; do await_ready "$name" 180; done
if (( REPLICAS > 1 )); then
  write_nginx_config
  SERVICES+=(nginx); launch nginx; await_ready nginx 30
fi
if (( MONITORING )); then
  write_prometheus_config
  SERVICES+=(prometheus); launch prometheus; await_ready prometheus 60
fi

API=http://127.0.0.1:$SPILLWAY_HTTP_PORT
cat <<BANNER

Spillway is running.
  API          $API          (key: $API_KEY, tenant: ${SPILLWAY_API_KEYS%%:*})$( (( REPLICAS > 1 )) && echo " — nginx in front of $REPLICAS ingest-api replicas")
  Stats + live http://127.0.0.1:$SPILLWAY_STATS_PORT/
  Worker stats http://127.0.0.1:$SPILLWAY_METRICS_PORT/metrics$( (( MONITORING )) && printf '\n  Prometheus   http://127.0.0.1:%s/' "$PROMETHEUS_PORT")
  Infra        Kafka $SPILLWAY_KAFKA_BOOTSTRAP, PostgreSQL $SPILLWAY_PG_URL, Redis $SPILLWAY_REDIS_URL
  Logs         $LOGS

Submit a prediction:
  curl -s -X POST $API/v1/jobs/prediction -H 'Authorization: Bearer $API_KEY' -H 'Content-Type: application/json' -d '{"model":"default","features":{"basket_total":129.5,"items":3,"account_age_days":420}}'
Poll it (put the jobId from the answer in place of JOB_ID):
  curl -s '$API/v1/jobs/JOB_ID?waitMs=5000' -H 'Authorization: Bearer $API_KEY'

Press Ctrl-C to stop everything.
BANNER

# Supervise: a service that dies is reported and restarted with a backoff, as an orchestrator would.
while true; do
  if ! kill -0 "${PIDS[devstack]}" 2>/dev/null; then
    echo "run-local: the devstack exited; stopping everything (see $LOGS/devstack.log)" >&2
    exit 1
  fi
  for name in "${SERVICES[@]}"; do
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      wait "${PIDS[$name]}" 2>/dev/null && code=0 || code=$?
      restarts=${RESTARTS[$name]:-0}
      # a service that ran for a minute gets a fresh backoff
      (( $(date +%s) - ${STARTS[$name]} > 60 )) && restarts=0
      delay=$(( restarts < 5 ? 1 << restarts : 30 ))
      echo "run-local: $name exited with status $code; restarting in ${delay}s (restart $((restarts + 1)))" >&2
      sleep "$delay" & wait $!
      RESTARTS[$name]=$(( restarts + 1 ))
      launch "$name"
    fi
  done
  sleep 1 & wait $!
done
