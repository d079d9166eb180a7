#!/usr/bin/env bash
# End-to-end tests of the web UI: simulates a small scenario, imports it, serves it with the
# real `corridor` binary on loopback and drives the UI in headless Chromium (playwright-core);
# the first screen is timed against a second server holding the demo's data, and the figures
# are printed. Screenshots and results.json go to $CORRIDOR_E2E_OUT (default:
# target-dir/ui-e2e).
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
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Simulates a scenario of DAYS days ending yesterday (recent, so that searches stay inside
# the window that needs no approval) into $work/NAME-scenario and imports it into
# $work/NAME-data: scenario NAME SEED READS.
start_date="$(date -u -d '-15 days' +%F)"
scenario() {
  "$corridor" simulate --out "$work/$1-scenario" --reads "$3" --days 14 --seed "$2" --start "$start_date" >/dev/null
  "$corridor" import --data "$work/$1-data" --cameras "$work/$1-scenario/cameras.csv" \
    --reads "$work/$1-scenario/reads.parquet" >/dev/null
}
# Adds a user to $work/NAME-data and prints its token: user NAME USER ROLE AGENCY.
user() {
  "$corridor" users add --data "$work/$1-data" --name "$2" --role "$3" --agency "$4" | grep -o 'crd_[A-Za-z0-9_-]*' | head -1
}
# Serves $work/NAME-data on a free loopback port and sets `url`: serve NAME.
serve() {
  "$corridor" serve --data "$work/$1-data" --listen 127.0.0.1:0 >"$work/$1-serve.log" 2>&1 &
  server_pids+=($!)
  for _ in $(seq 1 100); do
    grep -q '^listening on ' "$work/$1-serve.log" && break
    sleep 0.1
  done
  url="$(sed -n 's/^listening on //p' "$work/$1-serve.log" | head -1)"
  [ -n "$url" ] || { cat "$work/$1-serve.log" >&2; exit 1; }
}

# The tests' scenario: two weeks, 200,000 reads (its analyses run in seconds in a debug build).
scenario e2e 7 200000
analyst="$(user e2e ana analyst "Kent Police")"
operator="$(user e2e olly operator "Kent Police")"
supervisor="$(user e2e sue supervisor "Kent Police")"
auditor="$(user e2e aud auditor "IOPC")"
read -r seed_plate seed_country < <(python3 -c '
import json, sys
truth = json.load(open(sys.argv[1]))
seed = truth["seeds"][0]
print(seed["plate"], seed["country"])' "$work/e2e-scenario/truth.json")
camera_id="$(sed -n 2p "$work/e2e-scenario/cameras.csv" | cut -d, -f1)"
serve e2e
e2e_url="$url"

# The demo's data, as `corridor demo` makes it (seed 1, 2,000,000 reads over the 14 days
# ending yesterday), served apart: the first screen is timed against it.
scenario demo 1 2000000
demo_analyst="$(user demo demo-analyst analyst "Kent Police")"
serve demo
demo_url="$url"
url="$e2e_url"

export CORRIDOR_URL="$url" CORRIDOR_ANALYST_TOKEN="$analyst" CORRIDOR_OPERATOR_TOKEN="$operator"
export CORRIDOR_SUPERVISOR_TOKEN="$supervisor" CORRIDOR_AUDITOR_TOKEN="$auditor"
export CORRIDOR_SEED_PLATE="$seed_plate" CORRIDOR_SEED_COUNTRY="$seed_country"
export CORRIDOR_FROM_DATE="$start_date" CORRIDOR_CAMERA_ID="$camera_id"
export CORRIDOR_DEMO_URL="$demo_url" CORRIDOR_DEMO_ANALYST_TOKEN="$demo_analyst"
export CORRIDOR_E2E_OUT="${CORRIDOR_E2E_OUT:-$CARGO_TARGET_DIR/ui-e2e}" CORRIDOR_BIN="$corridor"
echo "== ui e2e against $url (seed $seed_plate; first screen timed against the demo's data at $demo_url), screenshots in $CORRIDOR_E2E_OUT"
timeout 600 node web/e2e/run.mjs
