#!/usr/bin/env bash
# Sets up the Tryton ERP for the hub, idempotently: installs Tryton from Debian when absent, writes
# var/tryton/trytond.conf, creates the SQLite database with the modules the hub needs, and loads the master
# data a manufacturer trades with (scripts/erp/load-data.py). Running it again changes nothing that exists.
# Env: TRYTON_PORT (8000), TRYTON_HOST (127.0.0.1), TRYTON_DATABASE (hub), TRYTON_HOME (var/tryton).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

tryton_installed() {
  command -v trytond-admin >/dev/null 2>&1 && "$TRYTON_PYTHON" -c 'import proteus, trytond.modules.sale, trytond.modules.purchase, trytond.modules.stock, trytond.modules.account_invoice, trytond.modules.account_invoice_stock' 2>/dev/null
}

if ! tryton_installed; then
  erp_log "installing Tryton from Debian: ${TRYTON_PACKAGES[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  # Exit status 3 means "Tryton cannot be installed here" (no apt-get, no root, no package): the end-to-end
  # suite skips on it, and fails on any other error.
  command -v apt-get >/dev/null 2>&1 || { erp_log "no apt-get: install Tryton 6.0 yourself (see docs/erp-tryton.md)"; exit 3; }
  if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then erp_log "not root and no sudo: cannot install Tryton"; exit 3; fi
  "${sudo_cmd[@]}" apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${TRYTON_PACKAGES[@]}" >/dev/null \
    || { erp_log "apt-get install ${TRYTON_PACKAGES[*]} failed"; exit 3; }
  tryton_installed || { erp_log "Tryton is still not importable after apt-get install"; exit 3; }
fi

mkdir -p "$TRYTON_HOME/db" "$TRYTON_HOME/data"
chmod 700 "$TRYTON_HOME"
cat >"$TRYTON_CONFIG" <<CONF
# Written by scripts/erp/setup.sh; edit the script, not this file.
[database]
uri = sqlite://
path = $TRYTON_HOME/db
language = en
[web]
listen = $TRYTON_HOST:$TRYTON_PORT
[session]
# The hub logs in once per adapter instance and keeps its session.
timeout = 86400
max_attempt = 50
CONF

# Passwords are generated once and kept beside the database (var/ is not committed); scripts/erp/password.py
# makes ones Tryton always accepts and replaces a kept one that Tryton's rules refuse.
for who in admin hub; do
  outcome=$("$TRYTON_PYTHON" "$(dirname "${BASH_SOURCE[0]}")/password.py" ensure "$TRYTON_HOME/$who.password" "$TRYTON_CONFIG")
  [ "$outcome" = kept ] || erp_log "$who password: $outcome"
done

db_file="$TRYTON_HOME/db/$TRYTON_DATABASE.sqlite"
modules_active() {
  [ -s "$db_file" ] && "$TRYTON_PYTHON" - "$db_file" "${TRYTON_MODULES[@]}" <<'PY'
import sqlite3, sys
db, wanted = sys.argv[1], set(sys.argv[2:])
try:
    rows = sqlite3.connect(db).execute("select name from ir_module where state = 'activated'").fetchall()
except sqlite3.Error:
    sys.exit(1)
sys.exit(0 if wanted <= {r[0] for r in rows} else 1)
PY
}

if ! modules_active; then
  erp_log "creating database $TRYTON_DATABASE with modules ${TRYTON_MODULES[*]} (about 30 s)"
  touch "$db_file"
  TRYTONPASSFILE="$TRYTON_HOME/admin.password" trytond-admin -c "$TRYTON_CONFIG" -d "$TRYTON_DATABASE" --all --email "admin@localhost" \
    -u "${TRYTON_MODULES[@]}" -p >"$TRYTON_HOME/admin.log" 2>&1 \
    || { erp_log "trytond-admin failed; see $TRYTON_HOME/admin.log"; tail -n 20 "$TRYTON_HOME/admin.log" >&2; exit 1; }
fi

erp_log "loading master data (company, accounts, parties, products) into $TRYTON_DATABASE"
PYTHONWARNINGS=ignore::DeprecationWarning "$TRYTON_PYTHON" "$(dirname "${BASH_SOURCE[0]}")/load-data.py"
erp_log "ready: database $TRYTON_DATABASE, config $TRYTON_CONFIG; start with scripts/erp/start.sh"
