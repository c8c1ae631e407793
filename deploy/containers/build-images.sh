#!/usr/bin/env bash
# Build the six service images (and, without a registry, local redis/postgres stand-ins):
#   deploy/containers/build-images.sh            → localhost/nethical-<service>:$NETHICAL_IMAGE_TAG
# NETHICAL_BASE_IMAGE   base of the service images; default: the local stand-in of node:20-slim
#                       (build-base.sh, cached). Set it to docker.io/library/node:20-slim where a
#                       registry is reachable.
# NETHICAL_IMAGE_TAG    tag of the built images (default: local)
# NETHICAL_BUILD_DEPS   1 (default) also builds localhost/nethical-{redis,postgres,haproxy} from the base
# Writes the image sizes to dist/image-sizes.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/deploy/containers/containers.conf}"
tag="${NETHICAL_IMAGE_TAG:-local}"
services=(gateway quota policy-judge ml-scorer audit-store merkle-anchor)

base="${NETHICAL_BASE_IMAGE:-$(deploy/containers/build-base.sh)}"
echo "build-images: base $base" >&2

npx tsx tools/deploy/build-context.ts "${services[@]}" >/dev/null

version="$(node -p 'require("./package.json").version')"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
for s in "${services[@]}"; do
  echo "build-images: nethical-$s" >&2
  podman build --quiet --format docker -f deploy/containers/Containerfile --target "$s" \
    --build-arg BASE_IMAGE="$base" --build-arg VERSION="$version" \
    --build-arg REVISION="$revision" --build-arg CREATED="$created" \
    ${NETHICAL_IMAGE_SOURCE:+--build-arg SOURCE="$NETHICAL_IMAGE_SOURCE"} \
    -t "localhost/nethical-$s:$tag" dist/image-context >/dev/null
done

if [[ "${NETHICAL_BUILD_DEPS:-1}" == 1 ]]; then
  # Keyed by the base and the Containerfile, so a CI run on the same machine reuses them.
  key="$( { echo "$base"; sha256sum deploy/containers/Containerfile.deps deploy/containers/postgres-entrypoint.sh; } | sha256sum | cut -c1-12)"
  for d in redis postgres haproxy; do
    if ! podman image exists "localhost/nethical-$d:$key"; then
      echo "build-images: nethical-$d (apt inside the build)" >&2
      podman build --quiet --format docker -f deploy/containers/Containerfile.deps --target "$d" \
        --build-arg BASE_IMAGE="$base" -t "localhost/nethical-$d:$key" deploy/containers >/dev/null
    fi
    podman tag "localhost/nethical-$d:$key" "localhost/nethical-$d:local"
  done
fi

mkdir -p dist
{
  printf '%-24s %10s\n' image size
  for s in "${services[@]}"; do
    printf '%-24s %10s\n' "nethical-$s" "$(podman image inspect --format '{{.Size}}' "localhost/nethical-$s:$tag" | awk '{printf "%.1f MB", $1/1e6}')"
  done
  printf '%-24s %10s\n' "(base)" "$(podman image inspect --format '{{.Size}}' "$base" | awk '{printf "%.1f MB", $1/1e6}')"
} | tee dist/image-sizes.txt >&2
