#!/usr/bin/env bash
# The gRPC tools operators reach for first, against a started mesh, through server reflection
# only (no .proto files): grpcurl list + describe of every service and of every request and
# response message on all six ports, then a short ghz run of every config in perf/ghz/. The mesh
# runs with API keys, one of them bound to a tenant, and grpcurl checks what each key may do.
# Tools: ../shared/bin/{grpcurl,ghz} (or NETHICAL_TOOLS_DIR). Port: NETHICAL_CI_GRPC_PORT (18600).
# NETHICAL_DATABASE_URL / NETHICAL_REDIS_URL pass through to the mesh; with them it starts far
# faster than on embedded PGlite (which took over 3 min under load here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=.ci/mesh-lib.sh
. .ci/mesh-lib.sh

tools="${NETHICAL_TOOLS_DIR:-$(cd .. && pwd)/shared/bin}"
grpcurl="$tools/grpcurl"
ghz="$tools/ghz"
base="${NETHICAL_CI_GRPC_PORT:-18600}"
state="$(mktemp -d)"
trap 'stop_mesh; rm -rf "$state"' EXIT
command -v jq >/dev/null || apt-get install -y -qq jq

open_key="ci-open-key-$RANDOM$RANDOM"
bound_key="ci-acme-key-$RANDOM$RANDOM"
admin_key="ci-admin-key-$RANDOM$RANDOM"
echo "=== starting the mesh on :$base (API keys: one open, one bound to tenant acme, one operator)"
start_mesh "$base" "$state/mesh" NETHICAL_API_KEYS="$open_key" \
  NETHICAL_API_KEY_TENANTS="acme:$bound_key" NETHICAL_ADMIN_API_KEYS="$admin_key"

fail=0
echo "=== grpcurl list / describe (reflection)"
for offset in 0 1 2 3 4 5; do
  target="127.0.0.1:$((base + offset))"
  services="$("$grpcurl" -plaintext "$target" list)"
  for service in $services; do
    described="$("$grpcurl" -plaintext "$target" describe "$service" 2>&1)" || {
      echo "FAIL describe $service on $target: $described"
      fail=1
      continue
    }
    # Every message a method takes or returns: `rpc X ( .pkg.Req ) returns ( stream .pkg.Res );`
    messages="$(grep -oE '\( (stream )?\.[A-Za-z0-9_.]+ \)' <<<"$described" | grep -oE '\.[A-Za-z0-9_.]+' | sed 's/^\.//' | sort -u)"
    count=0
    for message in $messages; do
      if out="$("$grpcurl" -plaintext "$target" describe "$message" 2>&1)"; then
        count=$((count + 1))
      else
        echo "FAIL describe $message on $target: $out"
        fail=1
      fi
    done
    echo "ok   $target $service ($count messages)"
  done
done

echo "=== grpcurl: what each API key may do on the gateway"
gw="127.0.0.1:$base"
process() { # <key or empty> <request json>: ProcessAction; prints grpcurl's output, never fails
  local auth=()
  [ -n "$1" ] && auth=(-H "authorization: Bearer $1")
  "$grpcurl" -plaintext "${auth[@]}" -d "$2" "$gw" nethical.gateway.v1.GovernanceService/ProcessAction 2>&1 || true
}
expect() { # <label> <output> <pattern>
  if grep -qE "$3" <<<"$2"; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}
out="$(process "" '{"agent_id":"ci-a","action":"hello"}')"
expect "no key: Unauthenticated" "$out" 'Code: Unauthenticated'
out="$(process "$bound_key" '{"agent_id":"ci-a","action":"hello","tenant_id":"globex"}')"
expect "bound key, another tenant: PermissionDenied naming tenant_id" "$out" 'Code: PermissionDenied'
expect "... the message names tenant_id" "$out" 'tenant_id'
out="$(process "$bound_key" '{"agent_id":"ci-a","action":"Summarise the incident review"}')"
expect "bound key, no tenant_id: judged" "$out" '"decision"'
action_id="$(jq -r '.actionId // empty' <<<"$out" 2>/dev/null || true)"
record="$("$grpcurl" -plaintext -H "authorization: Bearer $admin_key" -d "{\"action_id\":\"$action_id\"}" \
  "$gw" nethical.gateway.v1.GovernanceService/GetAuditRecord 2>&1 || true)"
expect "... stored as tenant acme (GetAuditRecord with the operator key)" "$record" '"tenantId": "acme"'
out="$("$grpcurl" -plaintext -H "authorization: Bearer $bound_key" -d "{\"action_id\":\"$action_id\"}" \
  "$gw" nethical.gateway.v1.GovernanceService/GetAuditRecord 2>&1 || true)"
expect "agent key on an operator RPC: refused" "$out" 'Code: (PermissionDenied|Unauthenticated)'
out="$(process "$open_key" '{"agent_id":"ci-b","action":"hello","tenant_id":"globex"}')"
expect "open key: the claimed tenant is kept" "$out" '"decision"'

echo "=== ghz, every perf/ghz config for 2.5 s by reflection"
for config in perf/ghz/*.json; do
  port="$(jq -r .host "$config" | sed 's/.*://')"
  target="127.0.0.1:$((base + port - 8000))"
  # A fixed count (not -z) so every request sent is answered before ghz exits: a duration run
  # cancels the calls still in flight at the end, which reads as Unavailable on a busy machine.
  auth=()
  [ "$port" = 8000 ] && auth=(-m "{\"authorization\":\"Bearer $open_key\"}")
  report="$("$ghz" --config "$config" "${auth[@]}" -n 50 --rps 20 -z 0 -O json "$target" 2>&1)" || true
  if ! summary="$(jq -c '{count, ok: (.statusCodeDistribution.OK // 0), codes: .statusCodeDistribution, p50_ms: ((.latencyDistribution // [] | map(select(.percentage == 50)) | .[0].latency // 0) / 1e6)}' <<<"$report" 2>/dev/null)"; then
    echo "FAIL $config: $report"
    fail=1
    continue
  fi
  if [ "$(jq '.ok == .count and .count == 50' <<<"$summary")" = true ]; then
    echo "ok   $config $target $summary"
  else
    echo "FAIL $config $target $summary $(jq -c .errorDistribution <<<"$report")"
    fail=1
  fi
done
exit "$fail"
