#!/usr/bin/env bash
# Runs the Tryton server for the hub on $TRYTON_HOST:$TRYTON_PORT (127.0.0.1:8000), setting it up first if
# var/tryton has no database yet.
#   start.sh            in the foreground (Ctrl-C stops it)
#   start.sh --detach   in the background: pid in var/tryton/trytond.pid, log in var/tryton/trytond.log;
#                       returns once the server answers JSON-RPC (exit 1 if it does not within 60 s)
# Stop a detached server with scripts/erp/stop.sh.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/env.sh"

[ -s "$TRYTON_CONFIG" ] && [ -s "$TRYTON_HOME/db/$TRYTON_DATABASE.sqlite" ] || bash "$here/setup.sh"

answers() {
  "$TRYTON_PYTHON" - "http://$TRYTON_HOST:$TRYTON_PORT/" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1], data=json.dumps({'id': 0, 'method': 'common.server.version', 'params': []}).encode(), headers={'Content-Type': 'application/json'})
try:
    with urllib.request.urlopen(request, timeout=2) as response:
        sys.exit(0 if 'result' in json.load(response) else 1)
except Exception:
    sys.exit(1)
PY
}

pid_file="$TRYTON_HOME/trytond.pid"
if [ "${1:-}" = "--detach" ]; then
  if answers; then
    # Only our own server (var/tryton's pid) counts: another Tryton on the port has another database and password.
    if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then erp_log "Tryton already running (pid $(cat "$pid_file")) on $TRYTON_HOST:$TRYTON_PORT"; exit 0; fi
    erp_log "another server answers on $TRYTON_HOST:$TRYTON_PORT (not the one of $TRYTON_HOME); stop it or set TRYTON_PORT"
    exit 4
  fi
  PYTHONWARNINGS=ignore::DeprecationWarning setsid trytond -c "$TRYTON_CONFIG" >>"$TRYTON_HOME/trytond.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 120); do
    if answers; then erp_log "Tryton started (pid $(cat "$pid_file")) on $TRYTON_HOST:$TRYTON_PORT"; exit 0; fi
    kill -0 "$(cat "$pid_file")" 2>/dev/null || break
    sleep 0.5
  done
  erp_log "Tryton did not answer on $TRYTON_HOST:$TRYTON_PORT; see $TRYTON_HOME/trytond.log"
  tail -n 20 "$TRYTON_HOME/trytond.log" >&2
  exit 1
fi

erp_log "Tryton on http://$TRYTON_HOST:$TRYTON_PORT/ database $TRYTON_DATABASE (user hub, password in $TRYTON_HOME/hub.password)"
echo $$ >"$pid_file"
PYTHONWARNINGS=ignore::DeprecationWarning exec trytond -c "$TRYTON_CONFIG"
