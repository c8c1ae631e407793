# Sourced by .ci scripts: start the six-service mesh (`npm start`) on a base port in the
# background, wait until the gateway is ready, and stop it (SIGTERM, ordered drain) on exit.
#   start_mesh <base-port> <state-dir> [extra env assignments…]
# Sets MESH_PID. Call stop_mesh from the script's EXIT trap.
# Without NETHICAL_DATABASE_URL, a scratch database on the test PostgreSQL
# (NETHICAL_TEST_DATABASE_URL) is used when it answers, dropped by stop_mesh: the mesh starts in
# well under a minute on it, against minutes on embedded PGlite on a busy machine.

MESH_PID=""
MESH_DB=""
MESH_ADMIN_URL="${NETHICAL_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

start_mesh() {
  local port="$1" dir="$2"
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  local db_env=()
  if [ -z "${NETHICAL_DATABASE_URL:-}" ] && command -v psql >/dev/null && psql "$MESH_ADMIN_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    MESH_DB="${NETHICAL_CI_DB_PREFIX:-nethical_ci}_$$_${port}"
    psql "$MESH_ADMIN_URL" -qc "CREATE DATABASE $MESH_DB" >/dev/null
    db_env=(NETHICAL_DATABASE_URL="${MESH_ADMIN_URL%/*}/$MESH_DB")
  fi
  env "${db_env[@]}" NETHICAL_STORAGE_DIR="$dir" NETHICAL_ENABLE_OTEL="${NETHICAL_ENABLE_OTEL:-false}" "$@" \
    node --import tsx apps/cli/src/start-mesh.ts --port "$port" >"$dir/mesh.out" 2>&1 &
  MESH_PID=$!
  for _ in $(seq 1 600); do
    if grep -q 'gateway listening' "$dir/mesh.out" 2>/dev/null; then return 0; fi
    if ! kill -0 "$MESH_PID" 2>/dev/null; then
      mesh_logs "$dir" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "mesh on :$port not ready in 300 s" >&2
  mesh_logs "$dir" >&2
  return 1
}

mesh_logs() {
  cat "$1/mesh.out"
  for log in "$1"/logs/*.log; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
  done
  return 0
}

stop_mesh() {
  [ -n "$MESH_PID" ] || return 0
  # One node process (env execs it); on SIGTERM it stops the services gateway first.
  kill -TERM "$MESH_PID" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$MESH_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$MESH_PID" 2>/dev/null || true
  MESH_PID=""
  if [ -n "$MESH_DB" ]; then
    psql "$MESH_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $MESH_DB WITH (FORCE)" >/dev/null || true
    MESH_DB=""
  fi
}
