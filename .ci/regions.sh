#!/usr/bin/env bash
# Issue 15: three regions on this machine (HAProxy, Redis Cluster, PostgreSQL per region), a whole
# region killed with SIGKILL and brought back. Needs redis-server/redis-cli, haproxy and
# PostgreSQL on 127.0.0.1:5432 (NETHICAL_TEST_DATABASE_URL). 3-5 minutes on 2 cores.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server redis-tools)
command -v haproxy >/dev/null || need+=(haproxy)
if [ ${#need[@]} -gt 0 ]; then
  flock /tmp/apt.lock apt-get install -y "${need[@]}"
fi
cleanup() { node apps/cli/bin/nethical.mjs regions down --state-dir /tmp/h15-regions-e2e >/dev/null 2>&1 || true; }
trap cleanup EXIT
NETHICAL_TEST_REGIONS=1 CI=true npx vitest run --config config/vitest.config.ts \
  apps/cli/test/regions.e2e.test.ts apps/cli/test/regions-plan.test.ts \
  apps/policy-judge/test/redis-cluster.test.ts apps/policy-judge/test/redis-outage.test.ts \
  apps/ml-scorer/test/redis-cluster.test.ts apps/ml-scorer/test/redis-outage.test.ts libs/redis
