# shellcheck shell=bash
# http_status URL -> prints the HTTP status code (000 when nothing answers). Uses curl when
# present, else bash's /dev/tcp, so a machine with only a JDK can run the scripts.
http_status() {
  local url=$1
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null || echo 000
    return
  fi
  local rest=${url#http://} hostport path host port line
  hostport=${rest%%/*}; path=/${rest#*/}; host=${hostport%%:*}; port=${hostport##*:}
  if exec 3<>"/dev/tcp/$host/$port" 2>/dev/null; then
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
    IFS= read -r -t 2 line <&3 || line=""
    exec 3<&- 3>&-
    line=${line#HTTP/* }; echo "${line%% *}" | tr -d '\r' | grep -E '^[0-9]{3}$' || echo 000
  else
    echo 000
  fi
}

# http_get URL FILE -> writes the body of a GET to FILE (empty when nothing answers); curl when
# present, else bash's /dev/tcp as above.
http_get() {
  local url=$1 out=$2
  if command -v curl >/dev/null 2>&1; then
    curl -s -m 5 "$url" >"$out" 2>/dev/null || : >"$out"
    return
  fi
  local rest=${url#http://} hostport path
  hostport=${rest%%/*}; path=/${rest#*/}
  if exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}" 2>/dev/null; then
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
    tr -d '\r' <&3 | awk 'body {print} /^$/ {body = 1}' >"$out"
    exec 3<&- 3>&-
  else
    : >"$out"
  fi
}
