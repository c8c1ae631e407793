#!/usr/bin/env bash
# Prometheus configuration and alert rules: promtool check config (one region and three),
# check rules, and the rules' unit tests (deploy/prometheus/nethical-rules.test.yml).
# Then the dashboard against a live mesh: .ci/dashboard.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v promtool >/dev/null || { apt-get update -qq && apt-get install -y -qq prometheus; }

cd deploy/prometheus
promtool check config prometheus.yml
promtool check config prometheus-three-regions.yml
promtool check rules nethical-rules.yml
promtool test rules nethical-rules.test.yml
