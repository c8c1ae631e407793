#!/usr/bin/env bash
# `npm run images:test`: build the six images, start one region with podman-compose, run the
# seed's basic load test against it, check that every action was answered and audited and that
# Merkle inclusion proofs verify (tools/deploy/check-region.ts) and that the full audit
# re-read from PostgreSQL matches the signed tree (`nethical audit verify`), then stop the
# region service by service (gateway first) and check each stopped cleanly (exit 0, ordered
# shutdown logged). Exit 0 only if all of it holds. Everything it starts is removed on exit.
#
# NETHICAL_IMAGES_TEST_DURATION  measured seconds of the load test (default 30)
# NETHICAL_IMAGES_TEST_SKIP_BUILD=1  reuse the images already built
#
# `npm run images:test -- --three-regions` runs deploy/three-regions-smoke.sh instead: the
# three-region compose file behind HAProxy, with failover (≈ 1.5 min after the build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --three-regions ]]; then exec deploy/three-regions-smoke.sh; fi
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/deploy/containers/containers.conf}"

region="${NETHICAL_REGION:-us-east-1}"
project="nethical-images-test"
gateway_port="${NETHICAL_GATEWAY_PORT:-28000}"
pg_port="${NETHICAL_POSTGRES_PORT:-28432}"
duration="${NETHICAL_IMAGES_TEST_DURATION:-30}"
rps=50
out="$PWD/.data/images-test"
export NETHICAL_REGION="$region" NETHICAL_GATEWAY_PORT="$gateway_port" NETHICAL_POSTGRES_PORT="$pg_port"
export NETHICAL_REDIS_IMAGE="${NETHICAL_REDIS_IMAGE:-localhost/nethical-redis:local}"
export NETHICAL_POSTGRES_IMAGE="${NETHICAL_POSTGRES_IMAGE:-localhost/nethical-postgres:local}"
export NETHICAL_POSTGRES_PASSWORD="images-test-$$"
compose=(podman-compose -f deploy/compose/region.yml -p "$project")
# Stop order: the reverse of the start order (gateway first, stores last), as the mesh does.
stop_order=(gateway policy-judge quota ml-scorer merkle-anchor audit-store postgres redis-cluster)

say() { printf '[images:test %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
old_shares=""
teardown() {
  "${compose[@]}" down -v -t 30 >/dev/null 2>&1 || true
  # podman-compose 1.0.3 leaves the project's network behind.
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  if [[ -n $old_shares ]]; then echo "$old_shares" >"$shares" 2>/dev/null || true; fi
}
trap teardown EXIT
mkdir -p "$out"
rm -f "$out"/*.log "$out"/basic.csv

if [[ "${NETHICAL_IMAGES_TEST_SKIP_BUILD:-0}" != 1 ]]; then
  say "building images"
  deploy/containers/build-images.sh
fi

teardown # a previous run killed half-way
say "starting region $region (gateway on 127.0.0.1:$gateway_port)"
"${compose[@]}" up -d >"$out/compose-up.log" 2>&1 || { cat "$out/compose-up.log" >&2; exit 1; }

# On hosts with cgroup v1 and the cgroupfs manager (CI here) every container sits under one
# `libpod_parent` group that competes for CPU as ONE task against every process in the root
# group: on a busy shared machine the whole region got ~1/17 of the CPU and timed out. Give the
# group the weight of its eight processes (8 × 1024), the share they would have run on the host.
shares=/sys/fs/cgroup/cpu/libpod_parent/cpu.shares
if [[ -w $shares ]]; then old_shares="$(cat "$shares")"; echo 8192 >"$shares"; fi

ready=0
for _ in $(seq 1 180); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$gateway_port/readyz"; then ready=1; break; fi
  sleep 1
done
if [[ $ready != 1 ]]; then
  say "FAIL gateway not ready in 180 s"
  podman ps -a --filter "label=io.podman.compose.project=$project" >&2
  for s in "${stop_order[@]}"; do podman logs --tail 20 "${project}_${s}_1" >&2 || true; done
  exit 1
fi
say "region ready; load test: --agents 100 --rps $rps --duration $duration"

status=0
npx tsx perf/load/main.ts --agents 100 --rps "$rps" --duration "$duration" \
  --endpoint "http://127.0.0.1:$gateway_port" --output "$out/basic.csv" | tee "$out/load.log" >&2 || status=1

podman stats --no-stream --format '{{.Name}} {{.CPUPerc}} {{.MemUsage}}' \
  $(podman ps -q --filter "label=io.podman.compose.project=$project") >"$out/stats.txt" 2>/dev/null || true
say "checking answers, audit records and Merkle proofs"
npx tsx tools/deploy/check-region.ts --gateway "http://127.0.0.1:$gateway_port" \
  --csv "$out/basic.csv" --expected "$((rps * duration))" | tee "$out/check.log" >&2 || status=1
if grep -q '^FAIL' "$out/check.log"; then status=1; fi

say "full audit: re-read PostgreSQL, recompute leaves and root, compare with the signed tree"
key="$(curl -fsS "http://127.0.0.1:$gateway_port/v1/merkle/key")"
npx tsx apps/cli/src/nethical.ts audit verify --no-progress --key "$key" \
  --database-url "postgres://nethical:$NETHICAL_POSTGRES_PASSWORD@127.0.0.1:$pg_port/nethical" \
  | tee "$out/audit-verify.log" >&2 || status=1

say "stopping service by service (SIGTERM, 30 s grace)"
for s in "${stop_order[@]}"; do
  name="${project}_${s}_1"
  start=$(date +%s%N)
  podman stop -t 30 "$name" >/dev/null
  took=$(( ($(date +%s%N) - start) / 1000000 ))
  code="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
  podman logs "$name" >"$out/$s.log" 2>&1 || true
  case "$s" in
    postgres|redis-cluster) clean=yes ;;
    *) grep -q '"msg":"stopped"' "$out/$s.log" && clean=yes || clean=no ;;
  esac
  if [[ "$code" == 0 && "$clean" == yes ]]; then
    say "PASS $s stopped in ${took} ms, exit 0"
  else
    say "FAIL $s stopped in ${took} ms, exit $code, ordered shutdown logged: $clean"
    status=1
  fi
done

if [[ $status == 0 ]]; then say "PASS images:test"; else say "FAIL images:test (logs in $out)"; fi
exit $status
