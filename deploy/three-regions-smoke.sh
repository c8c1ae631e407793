#!/usr/bin/env bash
# Smoke test of deploy/compose/three-regions.yml: start the three regions behind HAProxy, send
# actions through HAProxy, stop both us-east-1 gateways, and check HAProxy fails over to a backup
# region (actions still answered 200), then tear everything down. Heavy (24 containers): run by
# hand after deploy/containers/build-images.sh, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/deploy/containers/containers.conf}"
export NETHICAL_REDIS_IMAGE="${NETHICAL_REDIS_IMAGE:-localhost/nethical-redis:local}"
export NETHICAL_POSTGRES_IMAGE="${NETHICAL_POSTGRES_IMAGE:-localhost/nethical-postgres:local}"
export NETHICAL_HAPROXY_IMAGE="${NETHICAL_HAPROXY_IMAGE:-localhost/nethical-haproxy:local}"
# One digest key for every gateway: a retry may land in any region.
NETHICAL_REQUEST_DIGEST_KEY="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
export NETHICAL_REQUEST_DIGEST_KEY
project=nethical-3r-smoke
port="${NETHICAL_HAPROXY_HTTP1_PORT:-28081}"
compose=(podman-compose -f deploy/compose/three-regions.yml -p "$project")
say() { printf '[three-regions %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
shares=/sys/fs/cgroup/cpu/libpod_parent/cpu.shares
old_shares=""
teardown() {
  "${compose[@]}" down -v -t 30 >/dev/null 2>&1 || true
  if [[ -n $old_shares ]]; then echo "$old_shares" >"$shares" 2>/dev/null || true; fi
}
trap teardown EXIT
teardown

say "starting 3 regions + HAProxy"
"${compose[@]}" up -d >/tmp/$project-up.log 2>&1
# See images-test.sh: the containers' CPU group would otherwise weigh as one host task.
if [[ -w $shares ]]; then old_shares="$(cat "$shares")"; echo $((24 * 1024)) >"$shares"; fi

send() { # prints the HTTP status of one action through HAProxy
  curl -s -o /dev/null -w '%{http_code}' --max-time 15 "http://127.0.0.1:$port/process_action" \
    -d "{\"agent_id\":\"smoke-$1\",\"action\":\"Summarise the quarterly report $1\"}"
}
ready=0
for _ in $(seq 1 300); do
  if [[ "$(send probe)" == 200 ]]; then ready=1; break; fi
  sleep 1
done
[[ $ready == 1 ]] || { say "FAIL nothing answered through HAProxy in 300 s"; exit 1; }

status=0
ok=0; for i in $(seq 1 20); do [[ "$(send "a$i")" == 200 ]] && ok=$((ok + 1)); done
say "through HAProxy, us-east-1 up: $ok of 20 answered 200"
[[ $ok == 20 ]] || status=1

say "stopping both us-east-1 gateways"
podman stop -t 30 "${project}_us-east-1-gateway-a_1" "${project}_us-east-1-gateway-b_1" >/dev/null
sleep 3 # two failed checks at 1 s mark them down; backups take over
ok=0; for i in $(seq 1 20); do [[ "$(send "b$i")" == 200 ]] && ok=$((ok + 1)); done
say "through HAProxy, us-east-1 gateways down: $ok of 20 answered 200 (by a backup region)"
[[ $ok == 20 ]] || status=1
backups="$(podman logs "${project}_haproxy_1" 2>&1 | grep -c 'gateways/eu-west-1\|gateways/ap-south-1' || true)"
say "HAProxy log lines served by a backup region: $backups"
[[ $backups -ge 20 ]] || status=1

if [[ $status == 0 ]]; then say "PASS"; else say "FAIL"; fi
exit $status
