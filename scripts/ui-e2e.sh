#!/usr/bin/env bash
# End-to-end tests of the web UI: simulates a small scenario, imports it, serves it with the
# real `corridor` binary on loopback and drives the UI in headless Chromium (playwright-core).
# Screenshots and results.json go to $CORRIDOR_E2E_OUT (default: target-dir/ui-e2e).
# Installs Debian's chromium when it is missing (needs root and the Debian mirror).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/corridor-target}"

# Without a browser the UI tests cannot run: that fails when CORRIDOR_UI_E2E_REQUIRED=1, and
# otherwise says so loudly and skips (a machine without root or a Debian mirror).
no_browser() {
  echo "$1" >&2
  if [ "${CORRIDOR_UI_E2E_REQUIRED:-0}" = "1" ]; then exit 1; fi
  echo "== web UI end-to-end: SKIPPED (no Chromium on this machine)" >&2
  exit 0
}
if ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
  echo "== installing chromium (apt-get)"
  if [ "$(id -u)" -ne 0 ]; then
    no_browser "chromium is missing and this is not root: apt-get install -y chromium"
  fi
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
    no_browser "apt-get could not install chromium"
  fi
fi
export CHROMIUM="$(command -v "${CHROMIUM:-chromium}")"
if [ ! -d web/node_modules/playwright-core ]; then
  (cd web && npm ci --no-audit --no-fund)
fi

# The test build (dev-dependencies included) makes the binary; a plain `cargo build` would
# unify other features and rebuild DataFusion.
cargo test --workspace --locked --no-run --quiet
corridor="$CARGO_TARGET_DIR/debug/corridor"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Recent days, so that searches stay inside the window that needs no approval.
start_date="$(date -u -d '-15 days' +%F)"
"$corridor" simulate --out "$work/scenario" --reads 200000 --days 14 --seed 7 --start "$start_date" >/dev/null
"$corridor" import --data "$work/data" --cameras "$work/scenario/cameras.csv" \
  --reads "$work/scenario/reads.parquet" >/dev/null
analyst="$("$corridor" users add --data "$work/data" --name ana --role analyst --agency "Kent Police" | grep -o 'crd_[A-Za-z0-9_-]*' | head -1)"
operator="$("$corridor" users add --data "$work/data" --name olly --role operator --agency "Kent Police" | grep -o 'crd_[A-Za-z0-9_-]*' | head -1)"
supervisor="$("$corridor" users add --data "$work/data" --name sue --role supervisor --agency "Kent Police" | grep -o 'crd_[A-Za-z0-9_-]*' | head -1)"
auditor="$("$corridor" users add --data "$work/data" --name aud --role auditor --agency "IOPC" | grep -o 'crd_[A-Za-z0-9_-]*' | head -1)"
read -r seed_plate seed_country < <(python3 -c '
import json, sys
truth = json.load(open(sys.argv[1]))
seed = truth["seeds"][0]
print(seed["plate"], seed["country"])' "$work/scenario/truth.json")
camera_id="$(sed -n 2p "$work/scenario/cameras.csv" | cut -d, -f1)"

"$corridor" serve --data "$work/data" --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/serve.log" && break
  sleep 0.1
done
url="$(sed -n 's/^listening on //p' "$work/serve.log" | head -1)"
[ -n "$url" ] || { cat "$work/serve.log" >&2; exit 1; }

export CORRIDOR_URL="$url" CORRIDOR_ANALYST_TOKEN="$analyst" CORRIDOR_OPERATOR_TOKEN="$operator"
export CORRIDOR_SUPERVISOR_TOKEN="$supervisor" CORRIDOR_AUDITOR_TOKEN="$auditor"
export CORRIDOR_SEED_PLATE="$seed_plate" CORRIDOR_SEED_COUNTRY="$seed_country"
export CORRIDOR_FROM_DATE="$start_date" CORRIDOR_CAMERA_ID="$camera_id"
export CORRIDOR_E2E_OUT="${CORRIDOR_E2E_OUT:-$CARGO_TARGET_DIR/ui-e2e}" CORRIDOR_BIN="$corridor"
echo "== ui e2e against $url (seed $seed_plate), screenshots in $CORRIDOR_E2E_OUT"
timeout 600 node web/e2e/run.mjs
