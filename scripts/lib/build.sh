# shellcheck shell=bash
# spillway_build_if_needed: packages the runnable jars when one is missing or older than the
# sources; spillway_build_drills_if_needed: packages the drills jar (benchmarks, drills) when it is
# missing or older than its sources. Need JAVA_HOME (scripts/lib/java.sh) and the repository root
# as the working directory.
SPILLWAY_JARS=(
  devstack/target/spillway-devstack.jar
  ingest-api/target/spillway-ingest-api.jar
  workers/target/spillway-workers.jar
  streams-app/target/spillway-streams-app.jar
  cli/target/spillway-cli.jar
)

spillway_jar_stale() { # JAR: missing, or older than its module's sources, the shared schemas or a pom
  local module=${1%%/target/*}
  [[ ! -f $1 || -n $(find "$module/src/main" schemas/src/main pom.xml "$module/pom.xml" -newer "$1" -type f -print -quit 2>/dev/null) ]]
}

spillway_build_if_needed() {
  local jar stale=""
  for jar in "${SPILLWAY_JARS[@]}"; do
    if spillway_jar_stale "$jar"; then stale=$jar; break; fi
  done
  if [[ -n $stale ]]; then
    echo "spillway: building the jars ($stale is missing or older than its sources)…"
    ./mvnw -q -B --no-transfer-progress package -DskipTests
  fi
}

spillway_build_drills_if_needed() {
  if spillway_jar_stale drills/target/spillway-drills.jar; then
    ./mvnw -q -B --no-transfer-progress -pl drills -am package -DskipTests
  fi
}
