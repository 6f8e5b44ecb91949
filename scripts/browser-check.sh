#!/usr/bin/env bash
# Checks the streams app's live page in a real browser: starts the local stack with a tight SLO
# (SPILLWAY_SLO_P99=5ms over 2 windows, so ordinary jobs breach it), drives load through the API,
# opens http://127.0.0.1:8081/ in headless Chromium (Debian's package, installed when missing),
# checks that the charts received windows and that the SLO alert is shown, and saves a screenshot
# to bench/results/live-page-<date>.png. Loopback only; stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  echo "browser-check: installing Debian's chromium…"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null
fi
WORK=$(mktemp -d /tmp/spillway-browser.XXXXXX)
export SPILLWAY_DEVSTACK_DIR=$WORK/devstack SPILLWAY_SLO_P99=5ms SPILLWAY_SLO_WINDOWS=2 SPILLWAY_API_KEYS=browser:browser-key-0123456789
scripts/run-local.sh >"$WORK/run-local.log" 2>&1 &
RUN=$!
trap 'kill -TERM $RUN 2>/dev/null; wait $RUN 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 300); do grep -q "Press Ctrl-C" "$WORK/run-local.log" && break; sleep 1; done
grep -q "Press Ctrl-C" "$WORK/run-local.log" || { echo "browser-check: the stack did not start; see $WORK/run-local.log" >&2; exit 1; }

echo "browser-check: driving load for 20 s…"
end=$((SECONDS + 20))
while (( SECONDS < end )); do
  pids=()
  for i in $(seq 1 20); do
    curl -s -m 5 -o /dev/null -X POST http://127.0.0.1:8080/v1/jobs/prediction -H 'Authorization: Bearer browser-key-0123456789' \
      -H 'Content-Type: application/json' -d "{\"model\":\"default\",\"features\":{\"items\":$RANDOM}}" &
    pids+=($!)
  done
  wait "${pids[@]}"
  sleep 0.2
done

CHROME=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$WORK/chrome" --window-size=1400,900 --virtual-time-budget=6000)
"${CHROME[@]}" --dump-dom http://127.0.0.1:8081/ >"$WORK/dom.html" 2>/dev/null
mkdir -p bench/results
SHOT=bench/results/live-page-$(date +%F).png
"${CHROME[@]}" --screenshot="$PWD/$SHOT" http://127.0.0.1:8081/ >/dev/null 2>&1
windows=$(grep -o '[0-9]\+ windows' "$WORK/dom.html" | head -1 | grep -o '[0-9]\+' || echo 0)
alerts=$(grep -c 'SLO_BREACH' "$WORK/dom.html" || true)
echo "browser-check: the page shows $windows windows and $alerts SLO alert row(s); screenshot $SHOT"
(( windows > 0 )) || { echo "browser-check: FAILED — the charts got no data" >&2; exit 1; }
(( alerts > 0 )) || { echo "browser-check: FAILED — no SLO alert on the page" >&2; exit 1; }
echo "browser-check: PASSED"
