#!/usr/bin/env bash
# Workers benchmark: three drains — the predictions alone, the payments alone, then both at once
# (default 1,000,000 prediction jobs with half the inputs repeated and 200,000 payment jobs over
# 10,000 accounts; one drain when one count is 0). Each preloads Kafka, measures in the same run
# PostgreSQL COPY of the same job rows (into an unindexed temporary table, and into a table like
# jobs, logged, with its indexes) and Redis pipelined SET of as many keys, then starts the workers
# and measures the drain into PostgreSQL and Redis, with progress every second. Then a SIGKILL phase: more payments (a quarter as many, at
# least 20,000) drained while the worker is killed three times mid-batch and restarted, after which
# it counts lost and duplicated ledger entries and checks every account's running total against its
# ledger. Writes bench/results/workers-<date>.md.
# Uses its own fresh database on the local PostgreSQL (or an embedded one), dropped at the end, and
# its own topics.
#
# Usage: scripts/bench-workers.sh [PREDICTIONS] [PAYMENTS] [ACCOUNTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
source scripts/lib/build.sh
source scripts/lib/workdir.sh
spillway_find_java
spillway_build_if_needed
spillway_build_drills_if_needed

PREDICTIONS=${1:-1000000}
PAYMENTS=${2:-200000}
ACCOUNTS=${3:-10000}
WORK=$(mktemp -d /tmp/spillway-bench-workers.XXXXXX)
DEVSTACK_PID=
PG_SERVER_URL=
DB=bench_workers_$$
cleanup() {
  local status=$?
  # the bench's database goes with it (over a million job rows), then the broker
  if [[ -n $PG_SERVER_URL ]]; then
    "$JAVA" -cp drills/target/spillway-drills.jar io.spillway.drills.bench.BenchDatabase drop "$PG_SERVER_URL" "$SPILLWAY_PG_USER" "$DB" >/dev/null 2>&1 \
      || echo "bench-workers: could not drop the database $DB" >&2
  fi
  [[ -n $DEVSTACK_PID ]] && kill -TERM "$DEVSTACK_PID" 2>/dev/null && wait "$DEVSTACK_PID" 2>/dev/null || true
  spillway_remove_workdir "$status" "$WORK"
}
trap cleanup EXIT INT TERM

echo "bench-workers: starting the broker (devstack)…"
SPILLWAY_DEVSTACK_DIR=$WORK SPILLWAY_KAFKA_PORT=0 SPILLWAY_TOPIC_PREFIX=benchw. \
  "$JAVA" -Xmx512m -jar devstack/target/spillway-devstack.jar --env-file "$WORK/env" >"$WORK/devstack.log" 2>&1 &
DEVSTACK_PID=$!
for _ in $(seq 1 240); do [[ -f $WORK/env ]] && break; sleep 0.5; done
[[ -f $WORK/env ]] || { echo "bench-workers: devstack did not start; see $WORK/devstack.log" >&2; exit 1; }
set -a; source "$WORK/env"; set +a
# a database of its own, so that counts start at zero; dropped when the bench ends
PG_SERVER_URL=$SPILLWAY_PG_URL
"$JAVA" -cp drills/target/spillway-drills.jar io.spillway.drills.bench.BenchDatabase create "$PG_SERVER_URL" "$SPILLWAY_PG_USER" "$DB"
export SPILLWAY_PG_URL=${SPILLWAY_PG_URL%/*}/$DB

mkdir -p bench/results
"$JAVA" -Xmx2g -cp drills/target/spillway-drills.jar io.spillway.drills.bench.WorkersBench \
  "$PREDICTIONS" "$PAYMENTS" "$ACCOUNTS" workers/target/spillway-workers.jar "$PWD/bench/results/workers-$(date +%F).md"
echo "bench-workers: appended to bench/results/workers-$(date +%F).md"
