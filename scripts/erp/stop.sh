#!/usr/bin/env bash
# Stops the Tryton server started by scripts/erp/start.sh, by the pid it recorded (nothing else): SIGTERM,
# then SIGKILL if it is still running after 15 s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
pid_file="$TRYTON_HOME/trytond.pid"
[ -s "$pid_file" ] || { erp_log "no $pid_file: nothing to stop"; exit 0; }
pid="$(cat "$pid_file")"
if kill "$pid" 2>/dev/null; then
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  erp_log "Tryton (pid $pid) stopped"
fi
# Only our pid's file: a server started meanwhile by another run has written its own, which must stay.
if [ "$(cat "$pid_file" 2>/dev/null)" = "$pid" ]; then rm -f "$pid_file"; fi
