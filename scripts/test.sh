#!/usr/bin/env bash
# Runs every test of Spillway: unit tests (surefire) and integration tests (failsafe) against a
# real Kafka broker, PostgreSQL and Redis that the devstack module starts or finds.
# Usage: scripts/test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
spillway_find_java
echo "spillway: testing with $("$JAVA" -version 2>&1 | head -1) at $JAVA_HOME"
# The deployment checks use promtool (Debian's prometheus package) and docker-compose (Debian's
# docker-compose package; it only validates the file, no Docker engine is needed). They are
# installed here when missing and possible; without them those two checks are skipped.
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if (( ${#missing[@]} )) && command -v apt-get >/dev/null 2>&1 && (( EUID == 0 )); then
  echo "spillway: installing ${missing[*]} for the deployment checks…"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/spillway-test-apt.log 2>&1 \
    || echo "spillway: could not install ${missing[*]} (see /tmp/spillway-test-apt.log); those checks will be skipped" >&2
fi
exec ./mvnw -B --no-transfer-progress verify "$@"
