# Shared settings of the Tryton scripts (sourced, not run). Every value can be overridden from the environment.
ERP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TRYTON_HOME="${TRYTON_HOME:-$ERP_ROOT/var/tryton}"
export TRYTON_PORT="${TRYTON_PORT:-8000}"
export TRYTON_HOST="${TRYTON_HOST:-127.0.0.1}"
export TRYTON_DATABASE="${TRYTON_DATABASE:-hub}"
export TRYTON_CONFIG="$TRYTON_HOME/trytond.conf"
# Debian's python3 (python3-trytond, tryton-proteus), whatever python3 comes first on PATH (pyenv etc.).
export TRYTON_PYTHON="${TRYTON_PYTHON:-/usr/bin/python3}"
# The modules the hub needs, with every dependency (trytond-admin -u does not resolve them itself).
TRYTON_MODULES=(country currency party company product account account_product account_invoice stock
  account_invoice_stock sale purchase)
TRYTON_PACKAGES=(tryton-server tryton-modules-sale tryton-modules-purchase tryton-modules-stock
  tryton-modules-account-invoice tryton-modules-account-invoice-stock tryton-proteus)
erp_log() { printf '[erp] %s\n' "$*" >&2; }
