#!/usr/bin/env bash
# Starts a PostgreSQL server for the integration and e2e tests, from Debian packages (no Docker).
# Idempotent: installs postgresql when missing, starts a cluster on 127.0.0.1:5432 when none answers,
# creates role runhook/runhook and database runhook_test when absent, then prints the URL on stdout:
#   export TEST_DATABASE_URL="$(bash tools/scripts/ci-postgres.sh)"
# Meant for root on a fresh Debian machine (CI); it also works with sudo for a non-root user.
set -euo pipefail

PGHOST_ADDR=127.0.0.1
PGPORT_NUM=5432
ROLE=runhook
PASSWORD=runhook
DATABASE=runhook_test
URL="postgres://${ROLE}:${PASSWORD}@${PGHOST_ADDR}:${PGPORT_NUM}/${DATABASE}"

log() { echo "ci-postgres: $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -u postgres "$@"
  fi
}

ready() {
  pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" 2>/dev/null
}

install_postgres() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    return
  fi
  log "installing postgresql from Debian packages"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

start_cluster() {
  if ready; then
    log "a server already answers on ${PGHOST_ADDR}:${PGPORT_NUM}"
    return
  fi
  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "${version} main"; then
    log "creating cluster ${version}/main"
    as_root pg_createcluster "$version" main -p "$PGPORT_NUM" >&2
  fi
  local conf="/etc/postgresql/${version}/main/postgresql.conf"
  # Listen on the loopback address and the port the tests use, whatever the packaged default was.
  as_root sed -i -E "s/^#?listen_addresses\s*=.*/listen_addresses = '${PGHOST_ADDR}'/; s/^#?port\s*=.*/port = ${PGPORT_NUM}/" "$conf"
  log "starting cluster ${version}/main"
  # Containers lack systemd: pg_ctlcluster runs pg_ctl as the postgres user directly.
  as_root pg_ctlcluster "$version" main start >&2 || as_root pg_ctlcluster "$version" main restart >&2
  for _ in $(seq 1 60); do
    if ready; then return; fi
    sleep 0.5
  done
  log "PostgreSQL did not become ready on ${PGHOST_ADDR}:${PGPORT_NUM}"
  exit 1
}

create_role_and_database() {
  # Superuser access goes over the Unix socket with peer authentication as the postgres user.
  local psql=(psql -v ON_ERROR_STOP=1 -q -t -A -p "$PGPORT_NUM" -d postgres)
  if [ "$(as_postgres "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'")" != 1 ]; then
    log "creating role ${ROLE}"
    as_postgres "${psql[@]}" -c "CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}' CREATEDB" >&2
  fi
  if [ "$(as_postgres "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" != 1 ]; then
    log "creating database ${DATABASE}"
    as_postgres "${psql[@]}" -c "CREATE DATABASE ${DATABASE} OWNER ${ROLE}" >&2
  fi
  # The tests create and drop one schema per suite.
  as_postgres psql -v ON_ERROR_STOP=1 -q -p "$PGPORT_NUM" -d "$DATABASE" -c "GRANT ALL ON SCHEMA public TO ${ROLE}" >&2
}

check_login() {
  if ! PGPASSWORD="$PASSWORD" psql -q -t -A -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$ROLE" -d "$DATABASE" -c 'SELECT 1' >/dev/null; then
    log "cannot log in as ${ROLE} over TCP; check pg_hba.conf (password authentication for 127.0.0.1)"
    exit 1
  fi
}

install_postgres
start_cluster
create_role_and_database
check_login
log "ready"
echo "$URL"
