#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need, then runs every crate's
# unit, property, scenario, fuzz-corpus and interop tests.
#
#   scripts/test.sh                # from anywhere in the checkout
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "test: cargo test --workspace (unit, property, scenario, corpus replay, interop)" >&2
cargo test --workspace --locked --all-targets
cargo test --workspace --locked --doc
