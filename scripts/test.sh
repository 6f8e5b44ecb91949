#!/usr/bin/env bash
# The README's test command, ./mvnw -B --no-transfer-progress verify, on a machine whose default
# `java` is older than 21: finds a JDK 21 or newer (setting JAVA_HOME to it) and installs the
# deployment checks' tools when it can, then runs exactly that command. CI's .ci/run does the same.
# Usage: scripts/test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/test-setup.sh
spillway_prepare_tests
exec ./mvnw -B --no-transfer-progress verify "$@"
