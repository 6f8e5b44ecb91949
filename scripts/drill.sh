#!/usr/bin/env bash
# Fault drills: starts a local stack whose every part can be killed (Kafka broker, PostgreSQL,
# Redis, ingest-api, two workers, streams-app), drives a steady mixed load through the HTTP API
# with Idempotency-Keys and retries, injects the scenarios' faults on a schedule, waits for
# quiescence and checks: no acknowledged job lost, none duplicated, none invented, no account's
# payments reordered. Exits non-zero on any violation. Loopback only; bounded in time; every
# process it starts is stopped when it ends.
#
# Usage: scripts/drill.sh [SCENARIO...] [--duration 60s] [--rate N] [--repeat K] [--workers N]
#   scenarios: broker-kill broker-restart worker-kill worker-kill-after-commit worker-freeze postgres-restart
#              redis-restart slow-consumer poison ingest-restart hot-key (default: all)
#   The full set with at least 100 faults: scripts/drill.sh --repeat 10 --duration 15m
# Reports are appended to bench/results/drills-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
source scripts/lib/build.sh
spillway_find_java
spillway_build_if_needed
if [[ ! -f drills/target/spillway-drills.jar || -n $(find drills/src -newer drills/target/spillway-drills.jar -type f -print -quit) ]]; then
  ./mvnw -q -B --no-transfer-progress -pl drills -am package -DskipTests
fi
exec "$JAVA" -Xmx1g -jar drills/target/spillway-drills.jar "$@"
