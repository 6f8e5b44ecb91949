#!/usr/bin/env bash
# Streams benchmark: preloads jobs.events (default 2,000,000 lifecycle events), measures a plain
# consumer reading them (the baseline), then the streams app aggregating them under
# exactly_once_v2; prints both and the ratio and writes bench/results/streams-<date>.md.
#
# Usage: scripts/bench-streams.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
source scripts/lib/build.sh
source scripts/lib/workdir.sh
spillway_find_java
spillway_build_if_needed
spillway_build_drills_if_needed
EVENTS=${1:-2000000}
WORK=$(mktemp -d /tmp/spillway-bench-streams.XXXXXX)
DEVSTACK_PID=
cleanup() {
  local status=$?
  [[ -n $DEVSTACK_PID ]] && kill -TERM "$DEVSTACK_PID" 2>/dev/null && wait "$DEVSTACK_PID" 2>/dev/null || true
  spillway_remove_workdir "$status" "$WORK"
}
trap cleanup EXIT INT TERM
echo "bench-streams: starting the broker (devstack)…"
SPILLWAY_DEVSTACK_DIR=$WORK SPILLWAY_KAFKA_PORT=0 SPILLWAY_TOPIC_PREFIX=benchs. \
  "$JAVA" -Xmx512m -jar devstack/target/spillway-devstack.jar --env-file "$WORK/env" >"$WORK/devstack.log" 2>&1 &
DEVSTACK_PID=$!
for _ in $(seq 1 240); do [[ -f $WORK/env ]] && break; sleep 0.5; done
[[ -f $WORK/env ]] || { echo "bench-streams: devstack did not start; see $WORK/devstack.log" >&2; exit 1; }
set -a; source "$WORK/env"; set +a
mkdir -p bench/results
"$JAVA" -Xmx2g -cp drills/target/spillway-drills.jar io.spillway.drills.bench.StreamsBench \
  "$EVENTS" streams-app/target/spillway-streams-app.jar "$PWD/bench/results/streams-$(date +%F).md"
echo "bench-streams: appended to bench/results/streams-$(date +%F).md"
