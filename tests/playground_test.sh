#!/usr/bin/env bash
# The playground in headless Chromium (tests/playground_test.js says what it checks): builds the
# `wasm` preset (incremental), then drives the page against the native CLI.
#   playground_test.sh SOURCE_DIR GILSIM OUTDIR
# Exit status 77 (skipped, with the reason) without Emscripten, Chromium or node: the README's test
# command works without them; `tools/install-deps.sh --playground` installs them.
set -euo pipefail
src=$1 gilsim=$2 out=$3
for tool in emcc chromium node; do
  if ! command -v "$tool" >/dev/null; then
    echo "playground skipped: no $tool found (tools/install-deps.sh --playground installs what it needs)"
    exit 77
  fi
done
cd "$src"
cmake --preset wasm >/dev/null
cmake --build --preset wasm
mkdir -p "$out"
exec node tests/playground_test.js build/wasm/gilsim-playground.html "$gilsim" "$src/workloads" "$out"
