# shellcheck shell=bash
# The set-up before the README's test command, shared by scripts/test.sh and .ci/run: a JDK 21 or
# newer (scripts/lib/java.sh sets JAVA_HOME and JAVA), and the tools two deployment checks of the
# test run use, installed when they are missing and it can: promtool (Debian's prometheus package)
# checks the alert rules, docker-compose (Debian's package; it only validates the file, no Docker
# engine is needed) checks compose/. Without them those two checks are skipped.
# Needs the repository root as the working directory.
source scripts/lib/java.sh

spillway_prepare_tests() {
  spillway_find_java
  echo "spillway: testing with $("$JAVA" -version 2>&1 | head -1) at $JAVA_HOME"
  spillway_install_check_tools
}

spillway_install_check_tools() {
  local -a missing=()
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  if (( ${#missing[@]} )) && command -v apt-get >/dev/null 2>&1 && (( EUID == 0 )); then
    echo "spillway: installing ${missing[*]} for the deployment checks…"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/spillway-test-apt.log 2>&1 \
      || echo "spillway: could not install ${missing[*]} (see /tmp/spillway-test-apt.log); those checks will be skipped" >&2
  fi
}
