#!/usr/bin/env bash
# CI step of issue 14 (deployable): install podman & co from Debian, validate the Kubernetes
# manifests and the HAProxy config, then `npm run images:test` (build the six images, run one
# region in podman-compose under the seed's basic load test, check answers, audit, Merkle proofs
# and a clean stop). The base image is cached in /var/cache/nethical-images and podman's store,
# so a second run on the same machine skips debootstrap and the apt layers of redis/postgres.
# Cleans up what it starts (images-test.sh removes its compose project and volumes on exit).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n=== images: %s (%ss)\n' "$*" "$SECONDS"; }

step "Debian packages"
need=()
for p in podman podman-compose runc debootstrap haproxy curl; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  flock /tmp/apt.lock bash -c "apt-get update -qq && apt-get install -y -qq ${need[*]}"
fi
export CONTAINERS_CONF="$PWD/deploy/containers/containers.conf"

step "Kubernetes manifests (kubernetes-models schemas + our rules)"
npx tsx tools/deploy/validate-k8s.ts deploy/k8s

step "HAProxy config"
# (Names that do not resolve here are warnings: the servers start DOWN until they resolve.)
haproxy -c -f deploy/haproxy/haproxy.cfg

step "three-region compose file parses (podman-compose --dry-run; region.yml runs in images:test)"
podman-compose --dry-run -f deploy/compose/three-regions.yml -p nethical-ci-dry up -d >/dev/null
# podman-compose 1.0.3 creates the named volumes even in a dry run: remove them.
podman volume ls -q --filter label=io.podman.compose.project=nethical-ci-dry | xargs -r podman volume rm >/dev/null
podman network rm -f nethical-ci-dry_default >/dev/null 2>&1 || true # and its network

step "npm run images:test"
npm run images:test
step "done"
