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
# A first build is a unity build (several .cpp files per compiler run: about twice as fast from
# scratch); a build directory configured before keeps its own setting.
unity=()
[[ -f build/wasm/CMakeCache.txt ]] || unity=(-DCMAKE_UNITY_BUILD=ON)
cmake --preset wasm "${unity[@]}" >/dev/null
cmake --build --preset wasm
mkdir -p "$out"
exec node tests/playground_test.js build/wasm/gilsim-playground.html "$gilsim" "$src/workloads" "$out"
