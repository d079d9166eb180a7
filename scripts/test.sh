#!/usr/bin/env bash
# Runs every check CI runs: formatting, lints and the whole test suite.
# The build folder lives outside the clone so that repeated runs stay warm.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/corridor-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked --no-fail-fast

# The one feature build beyond the default: Apache Ballista (issue 9). The test starts a
# scheduler and two executors on loopback and compares the plans with the embedded engine.
# It builds in a target folder of its own: its feature set (DataFusion as Ballista wants
# it) would otherwise rebuild half the main build's dependencies on every run.
echo "== cargo test: the analyses on a Ballista cluster (feature ballista)"
CARGO_TARGET_DIR="${CORRIDOR_BALLISTA_TARGET_DIR:-$HOME/.cache/corridor-target-ballista}" \
    cargo test -p corridor-analytics --features ballista --locked --test it

echo "== web UI end-to-end (headless Chromium)"
scripts/ui-e2e.sh
