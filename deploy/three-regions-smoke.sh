#!/usr/bin/env bash
# Test of deploy/compose/three-regions.yml (`npm run images:test -- --three-regions`): three
# regions (each its six services and its PostgreSQL, one shared Redis) behind HAProxy.
#
#  1. all four gateways come UP in HAProxy's checks;
#  2. actions over HTTP/1.1 (:28081) and h2c (:28080) are answered 200 by the us-east-1
#     gateways, and every one is in us-east-1's audit trail with a verifying Merkle inclusion
#     proof (tools/deploy/check-region.ts, through HAProxy);
#  3. both us-east-1 gateway containers are stopped (SIGTERM) while actions keep coming: HAProxy
#     marks them down, eu-west-1 (first backup) answers 200 and audits every action;
#  4. the eu-west-1 gateway is stopped too: ap-south-1 answers and audits.
# Exit 0 only if all of it holds. Everything it starts (containers, volumes, network) is removed
# on exit. Actions sent while the us-east-1 gateways stop are counted and reported, not required.
#
# NETHICAL_IMAGES_TEST_SKIP_BUILD=1  reuse the images already built
# NETHICAL_HAPROXY_PORT / NETHICAL_HAPROXY_HTTP1_PORT  HAProxy's ports (default 28080 / 28081)
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/deploy/containers/containers.conf}"
export NETHICAL_REDIS_IMAGE="${NETHICAL_REDIS_IMAGE:-localhost/nethical-redis:local}"
export NETHICAL_POSTGRES_IMAGE="${NETHICAL_POSTGRES_IMAGE:-localhost/nethical-postgres:local}"
export NETHICAL_HAPROXY_IMAGE="${NETHICAL_HAPROXY_IMAGE:-localhost/nethical-haproxy:local}"
export NETHICAL_POSTGRES_PASSWORD="three-regions-$$"
# One digest key for every gateway: a retry may land in any region.
NETHICAL_REQUEST_DIGEST_KEY="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
export NETHICAL_REQUEST_DIGEST_KEY
project=nethical-3r-smoke
h2_port="${NETHICAL_HAPROXY_PORT:-28080}"
http1_port="${NETHICAL_HAPROXY_HTTP1_PORT:-28081}"
export NETHICAL_HAPROXY_PORT="$h2_port" NETHICAL_HAPROXY_HTTP1_PORT="$http1_port"
lb="http://127.0.0.1:$http1_port"
out="$PWD/.data/three-regions-test"
compose=(podman-compose -f deploy/compose/three-regions.yml -p "$project")
haproxy="${project}_haproxy_1"
say() { printf '[three-regions %s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*" >&2; }

shares=/sys/fs/cgroup/cpu/libpod_parent/cpu.shares
old_shares=""
sender_pid=""
dns_watch=()
teardown() {
  if [[ -n $sender_pid ]]; then kill "$sender_pid" 2>/dev/null || true; fi
  local p
  for p in "${dns_watch[@]}"; do kill "$p" 2>/dev/null || true; done
  # Every container's log, for a post-mortem (before `down` removes them).
  local c
  for c in $(podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$project"); do
    podman logs "$c" >"$out/${c#"${project}"_}.log" 2>&1 || true
  done
  "${compose[@]}" down -v -t 30 >/dev/null 2>&1 || true
  # podman-compose 1.0.3 leaves the project's network behind.
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  if [[ -n $old_shares ]]; then echo "$old_shares" >"$shares" 2>/dev/null || true; fi
}
trap teardown EXIT
mkdir -p "$out"
rm -f "$out"/*.csv "$out"/*.log

if [[ "${NETHICAL_IMAGES_TEST_SKIP_BUILD:-0}" != 1 ]]; then
  say "building images"
  deploy/containers/build-images.sh
fi
teardown # a previous run killed half-way

say "starting 3 regions + HAProxy (24 containers)"
"${compose[@]}" up -d >"$out/compose-up.log" 2>&1 || { cat "$out/compose-up.log" >&2; exit 1; }
# See images-test.sh: on cgroup v1 + cgroupfs every container shares one CPU group that would
# otherwise weigh as one host task; give it the weight of its 24 processes while the test runs.
if [[ -w $shares ]]; then old_shares="$(cat "$shares")"; echo $((24 * 1024)) >"$shares"; fi
say "compose up returned"
# Evidence for the stalls README.md describes: every 0.5 s each region's audit-store resolves its
# PostgreSQL's name; lookups slower than 300 ms or failing go to dns-<region>.log with the time.
dns_watch=()
for r in us-east-1 eu-west-1 ap-south-1; do
  podman exec "${project}_${r}-audit-store_1" node -e '
    const dns = require("node:dns");
    setInterval(() => {
      const t = Date.now();
      const say = (x) => { const ms = Date.now() - t; if (x || ms > 300) console.log(new Date(t).toISOString(), ms + " ms", x || ""); };
      dns.promises.lookup(process.argv[1]).then(() => say(), (e) => say(e.code));
    }, 500);' "$r-postgres" >"$out/dns-$r.log" 2>&1 &
  dns_watch+=($!)
done

# State of a server from HAProxy's log: UP or DOWN once settled, "changing" while its checks
# move it (status 1/2 UP: one check failed; 1/2 DOWN: one passed), nothing before the first
# check. A server that passes its first checks logs no "is UP" transition, only the checks.
state() {
  podman logs "$haproxy" 2>&1 | grep -v '^\[' | awk -v s="$1" '
    $0 ~ "^(Backup )?Server gateways/" s " is (UP|DOWN)" { st = ($0 ~ " is UP") ? "UP" : "DOWN" }
    $0 ~ "^Health check for (backup )?server gateways/" s " " && match($0, /status: [0-9]+\/[0-9]+ (UP|DOWN)/) {
      split(substr($0, RSTART + 8, RLENGTH - 8), f, /[\/ ]/)
      st = (f[3] == "UP" && f[1] == f[2]) ? "UP" : (f[3] == "DOWN" && f[1] == 0) ? "DOWN" : "changing"
    }
    END { print st }'
}
wait_state() { # server, state, seconds
  for _ in $(seq 1 $(($3 * 2))); do
    [[ "$(state "$1")" == "$2" ]] && return 0
    sleep 0.5
  done
  return 1
}
servers=(us-east-1-a us-east-1-b eu-west-1 ap-south-1)
for s in "${servers[@]}"; do
  wait_state "$s" UP 300 || {
    say "FAIL HAProxy never saw $s UP in 300 s"
    podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}} {{.Status}}' >&2
    podman logs --tail 30 "$haproxy" >&2
    exit 1
  }
done
say "HAProxy checks: all four gateways UP"

# One action through HAProxy; appends "action_id,status,seconds" to $1. $2: agent; $3: --h2 to
# send it over h2c (:28080) instead of HTTP/1.1 (:28081).
send() {
  local csv=$1 agent=$2 url=$lb
  shift 2
  [[ ${1:-} == --h2 ]] && url="http://127.0.0.1:$h2_port"
  local body code id ms
  body="$(curl -s -w '\n%{time_total} %{http_code}' --max-time 15 ${1:+--http2-prior-knowledge} \
    "$url/process_action" -H 'content-type: application/json' \
    -d "{\"agent_id\":\"$agent\",\"action\":\"Summarise the quarterly report for $agent\"}")" || body=$'\n15 000'
  read -r ms code <<<"${body##*$'\n'}"
  id="$(sed -n 's/.*"action_id":"\([^"]*\)".*/\1/p' <<<"${body%$'\n'*}" | head -1)"
  echo "${id:-none},$code,$ms" >>"$csv"
}
new_csv() { echo 'action_id,status,seconds' >"$1"; }
slowest() { tail -n +2 "$1" | cut -d, -f3 | sort -g | tail -1; }
answered() { tail -n +2 "$1" | grep -c ',200,' || true; }
total() { tail -n +2 "$1" | wc -l; }
# POSTs HAProxy logged per server since log line $1.
served() {
  podman logs "$haproxy" 2>&1 | tail -n +"$(($1 + 1))" | grep -E '"POST [^ ]*/process_action' \
    | sed -E 's/.* gateways\/([a-z0-9-]+) .*/\1/' | sort | uniq -c | tr -s ' ' | tr '\n' ';'
}
log_lines() { podman logs "$haproxy" 2>&1 | wc -l; }
# Every answered action of $1 audited in the region that answered, Merkle proofs verify, and the
# audit record names region $2.
audited_in() {
  local csv=$1 region=$2 n
  n="$(total "$csv")"
  npx tsx tools/deploy/check-region.ts --gateway "$lb" --csv "$csv" --expected "$n" \
    | tee "$out/check-$region.log" >&2 || return 1
  grep -q '^FAIL' "$out/check-$region.log" && return 1
  local last got
  last="$(tail -1 "$csv" | cut -d, -f1)"
  got="$(curl -fsS --max-time 10 "$lb/v1/audit/$last" | jq -r .region_id)"
  say "audit record of $last: region_id $got"
  [[ $got == "$region" ]]
}

status=0
fail() { say "FAIL $*"; status=1; }

say "phase 1: us-east-1 serving"
from="$(log_lines)"
new_csv "$out/us-east-1.csv"
for i in $(seq 1 20); do send "$out/us-east-1.csv" "p1-http1-$i"; done
for i in $(seq 1 10); do send "$out/us-east-1.csv" "p1-h2-$i" --h2; done
say "answered 200: $(answered "$out/us-east-1.csv") of 30 (20 HTTP/1.1, 10 h2c); served by: $(served "$from")"
[[ "$(answered "$out/us-east-1.csv")" == 30 ]] || fail "not every action answered 200"
only_east='^( ?[0-9]+ us-east-1-[ab];)+$'
[[ "$(served "$from")" =~ $only_east ]] || fail "not all served by us-east-1"
audited_in "$out/us-east-1.csv" us-east-1 || fail "us-east-1 audit check"

say "phase 2: stopping both us-east-1 gateways (SIGTERM) while actions keep coming"
new_csv "$out/during-stop.csv"
rm -f "$out/stop-sender"
( i=0; while [[ ! -e $out/stop-sender ]]; do i=$((i + 1)); send "$out/during-stop.csv" "p2-during-$i"; sleep 0.05; done ) &
sender_pid=$!
stop_start=$SECONDS
podman stop -t 30 "${project}_us-east-1-gateway-a_1" "${project}_us-east-1-gateway-b_1" >/dev/null 2>>"$out/podman-stop.log" # (healthcheck timer noise: no systemd here)
say "both us-east-1 gateways stopped ($((SECONDS - stop_start)) s)"
wait_state us-east-1-a DOWN 10 && wait_state us-east-1-b DOWN 10 || fail "HAProxy did not mark the us-east-1 gateways DOWN"
say "HAProxy marked both DOWN $((SECONDS - stop_start)) s after the stop began"
sleep 2
touch "$out/stop-sender"; wait "$sender_pid" || true; sender_pid="" # its last action finishes first
say "during the stop: $(answered "$out/during-stop.csv") of $(total "$out/during-stop.csv") actions answered 200 (statuses: $(tail -n +2 "$out/during-stop.csv" | cut -d, -f2 | sort | uniq -c | tr -s ' ' | tr '\n' ';'); slowest $(slowest "$out/during-stop.csv") s)"
from="$(log_lines)"
new_csv "$out/eu-west-1.csv"
for i in $(seq 1 20); do send "$out/eu-west-1.csv" "p2-after-$i"; done
say "us-east-1 gateways down: answered 200: $(answered "$out/eu-west-1.csv") of 20; served by: $(served "$from")"
[[ "$(answered "$out/eu-west-1.csv")" == 20 ]] || fail "not every action answered 200 after failover"
[[ "$(served "$from")" == ' 20 eu-west-1;' ]] || fail "not all served by eu-west-1"
audited_in "$out/eu-west-1.csv" eu-west-1 || fail "eu-west-1 audit check"

say "phase 3: stopping the eu-west-1 gateway too"
podman stop -t 30 "${project}_eu-west-1-gateway_1" >/dev/null 2>>"$out/podman-stop.log" # (healthcheck timer noise: no systemd here)
wait_state eu-west-1 DOWN 10 || fail "HAProxy did not mark eu-west-1 DOWN"
from="$(log_lines)"
new_csv "$out/ap-south-1.csv"
for i in $(seq 1 10); do send "$out/ap-south-1.csv" "p3-$i"; done
say "only ap-south-1 left: answered 200: $(answered "$out/ap-south-1.csv") of 10; served by: $(served "$from")"
[[ "$(answered "$out/ap-south-1.csv")" == 10 ]] || fail "not every action answered 200 by ap-south-1"
[[ "$(served "$from")" == ' 10 ap-south-1;' ]] || fail "not all served by ap-south-1"
audited_in "$out/ap-south-1.csv" ap-south-1 || fail "ap-south-1 audit check"

say "tearing down"
teardown
trap - EXIT
if [[ $status == 0 ]]; then say "PASS three regions behind HAProxy"; else say "FAIL three regions (logs in $out)"; fi
exit $status
