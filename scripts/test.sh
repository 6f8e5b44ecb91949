#!/usr/bin/env bash
# The README's test command, ./mvnw -B --no-transfer-progress verify, on a machine whose default
# `java` is older than 21: finds a JDK 21 or newer (setting JAVA_HOME to it) and installs the
# deployment checks' tools when it can, then runs exactly that command. CI's .ci/run does the same.
# Usage: scripts/test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
source scripts/lib/check-tools.sh
spillway_find_java
echo "spillway: testing with $("$JAVA" -version 2>&1 | head -1) at $JAVA_HOME"
spillway_install_check_tools
exec ./mvnw -B --no-transfer-progress verify "$@"
