#!/usr/bin/env bash
# Build (or reuse) a local stand-in for the public node:20-slim base image, for machines that
# cannot reach a container registry: Debian bookworm minbase (debootstrap, from the mirror apt
# already uses) plus this machine's own Node ≥ 20.19 binary at /usr/local/bin/node, as in
# node:20-slim. The result is cached under $NETHICAL_IMAGE_CACHE (default
# /var/cache/nethical-images), keyed by a hash of its inputs (this script, the mirror, the node
# binary), so CI runs on the same machine import it instead of bootstrapping again (~80 s).
# Prints the image reference (localhost/nethical-base:<key>) on stdout.
set -euo pipefail

cache="${NETHICAL_IMAGE_CACHE:-/var/cache/nethical-images}"
suite=bookworm
mirror="${NETHICAL_DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
node_bin="$(readlink -f "$(command -v node)")"
"$node_bin" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || { echo "build-base: node $("$node_bin" --version) is older than 20.19" >&2; exit 1; }

key="$( { sha256sum "$0" "$node_bin" | cut -d' ' -f1; echo "$suite $mirror"; } | sha256sum | cut -c1-16)"
ref="localhost/nethical-base:$key"
tarball="$cache/nethical-base-$key.tar"

if podman image exists "$ref"; then echo "$ref"; exit 0; fi
mkdir -p "$cache"
if [[ ! -s "$tarball" ]]; then
  root="$(mktemp -d /var/tmp/nethical-base.XXXXXX)"
  trap 'rm -rf "$root"' EXIT
  echo "build-base: debootstrap --variant=minbase $suite from $mirror" >&2
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >&2
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"
  # The user node:20-slim ships (uid/gid 1000), so the Containerfile's USER works on both bases.
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # Trim what a runtime image never reads (apt lists, docs, man pages, locales).
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
  tar -C "$root" --numeric-owner -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
fi
podman import --change 'CMD ["node"]' "$tarball" "$ref" >&2
echo "$ref"
