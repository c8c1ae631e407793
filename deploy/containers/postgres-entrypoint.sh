#!/bin/sh
# Entry point of the local postgres stand-in (Containerfile.deps): initialise the cluster on
# first start the way the official image does (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB,
# password authentication for network clients), then run postgres in the foreground.
set -eu
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    pg_ctl -o "-c listen_addresses=''" -w start >/dev/null
    createdb --username="$user" "$db"
    pg_ctl -m fast -w stop >/dev/null
  fi
fi
exec postgres -c listen_addresses='*' -c max_connections=200
