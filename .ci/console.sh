#!/usr/bin/env bash
# The browser console in a real browser: Debian's Chromium (installed when missing) driven by
# puppeteer-core against a mesh started by `npm start` on NETHICAL_CI_CONSOLE_PORT (18900..18905, below the ephemeral port range so no client socket can hold it):
# every view works, a blocked attack shows its evidence, a proof verifies in the page and a
# tampered one fails, no console errors. Screenshots: .data/console/*.png.
# The audit trail goes to PostgreSQL database h16_console (recreated) when PostgreSQL answers on
# 127.0.0.1:5432 (or NETHICAL_DATABASE_URL is set): embedded PGlite took over 3 min to start here
# under load. Quota stays in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=.ci/mesh-lib.sh
. .ci/mesh-lib.sh

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "=== installing chromium"
  flock /tmp/apt.lock sh -c 'apt-get update -qq && apt-get install -y -qq chromium'
fi
"$chromium" --version 2>/dev/null

echo "=== typecheck (browser code and the driver)"
npx tsc -p apps/console/tsconfig.json --noEmit
npx tsc -p apps/console/tsconfig.e2e.json --noEmit

port="${NETHICAL_CI_CONSOLE_PORT:-18900}"
state="$(mktemp -d)"
trap 'stop_mesh; rm -rf "$state"' EXIT
db=()
if [ -z "${NETHICAL_DATABASE_URL:-}" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS h16_console' -c 'CREATE DATABASE h16_console'
  db=(NETHICAL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h16_console)
fi

echo "=== starting the mesh on :$port"
# The keys the driver enters in the page (apps/console/e2e/console.e2e.ts).
start_mesh "$port" "$state/mesh" "${db[@]}" NETHICAL_LOG_LEVEL=warn \
  NETHICAL_API_KEYS=e2e-agent-key-0123456789 NETHICAL_ADMIN_API_KEYS=e2e-admin-key-0123456789 \
  NETHICAL_CORS_ORIGINS="http://localhost:$port"

echo "=== console in Chromium"
npx tsx apps/console/e2e/console.e2e.ts --external --port "$port" --chromium "$chromium"
