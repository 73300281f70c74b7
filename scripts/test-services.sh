#!/usr/bin/env bash
# Installs (as root, from Debian's packages) and starts what the tests need beyond
# Python: PostgreSQL and Chromium. Prints the environment the tests read, e.g.
#   eval "$(scripts/test-services.sh)"
set -euo pipefail
log() { echo "$*" >&2; }
need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "Missing Debian packages: ${need[*]} (install them as root: apt-get install ${need[*]})"; exit 1
  fi
  log "Installing ${need[*]} ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2; }
fi
version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >&2
fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
pg_isready -h 127.0.0.1 >&2
psql_() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_ -c "SELECT 1 FROM pg_roles WHERE rolname='helpdesk_test'" | grep -q 1 \
  || psql_ -c "CREATE ROLE helpdesk_test LOGIN PASSWORD 'helpdesk_test'" >&2
psql_ -c "SELECT 1 FROM pg_database WHERE datname='helpdesk_test'" | grep -q 1 \
  || psql_ -c "CREATE DATABASE helpdesk_test OWNER helpdesk_test" >&2
echo "export HELPDESK_TEST_POSTGRES_URL=postgresql://helpdesk_test:helpdesk_test@127.0.0.1:5432/helpdesk_test"
echo "export HELPDESK_TEST_CHROMIUM=/usr/bin/chromium"
