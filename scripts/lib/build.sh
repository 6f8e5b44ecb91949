# shellcheck shell=bash
# spillway_build_if_needed: packages the runnable jars when one is missing or older than the
# sources; spillway_build_drills_if_missing: packages the drills jar (benchmarks, drills) when it is
# missing or older than its sources. Need JAVA_HOME (scripts/lib/java.sh) and the repository root
# as the working directory.
SPILLWAY_JARS=(
  devstack/target/spillway-devstack.jar
  ingest-api/target/spillway-ingest-api.jar
  workers/target/spillway-workers.jar
  streams-app/target/spillway-streams-app.jar
  cli/target/spillway-cli.jar
)

spillway_build_if_needed() {
  local jar stale=""
  for jar in "${SPILLWAY_JARS[@]}"; do
    if [[ ! -f $jar ]]; then stale=$jar; break; fi
    if [[ -n $(find "${jar%%/target/*}/src/main" schemas/src/main pom.xml "${jar%%/target/*}/pom.xml" -newer "$jar" -type f -print -quit 2>/dev/null) ]]; then
      stale=$jar; break
    fi
  done
  if [[ -n $stale ]]; then
    echo "spillway: building the jars ($stale is missing or older than its sources)…"
    ./mvnw -q -B --no-transfer-progress package -DskipTests
  fi
}

spillway_build_drills_if_missing() {
  local jar=drills/target/spillway-drills.jar
  if [[ ! -f $jar || -n $(find drills/src/main drills/pom.xml -newer "$jar" -type f -print -quit 2>/dev/null) ]]; then
    ./mvnw -q -B --no-transfer-progress -pl drills -am package -DskipTests
  fi
}
