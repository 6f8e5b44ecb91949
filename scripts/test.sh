#!/usr/bin/env bash
# Runs every test of Spillway: unit tests (surefire) and integration tests (failsafe) against a
# real Kafka broker, PostgreSQL and Redis that the devstack module starts or finds.
# Usage: scripts/test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
spillway_find_java
echo "spillway: testing with $("$JAVA" -version 2>&1 | head -1) at $JAVA_HOME"
exec ./mvnw -B --no-transfer-progress verify "$@"
