#!/usr/bin/env bash
# Installs the Debian packages gilsim needs, only those missing. Safe to run again.
#   tools/install-deps.sh            what building and running need
#   tools/install-deps.sh --test     also what the tests need: headless Chromium, node (which
#                                    drives it) and fonts for the HTML timeline's browser test
#   tools/install-deps.sh --ci       all that, and clang's libFuzzer runtime (the fuzz target)
#   tools/install-deps.sh --playground   what the playground needs (`cmake --preset wasm`):
#                                    Emscripten and its node, and Chromium for its test
#   tools/install-deps.sh --runtimes     the real runtimes `gilsim fidelity` holds the policies
#                                    against: PyPy, Ruby, OCaml, and Lua 5.4 for `gilsim bench`
#                                    (CPython 2.7/3.x come from pyenv)
# Options combine: tools/install-deps.sh --ci --playground.
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config libfmt-dev libspdlog-dev doctest-dev libcli11-dev
          nlohmann-json3-dev zlib1g-dev python3)
for option in "$@"; do
  case "$option" in
    --test) packages+=(chromium nodejs fonts-liberation fonts-dejavu-core) ;;
    --ci) packages+=(chromium nodejs fonts-liberation fonts-dejavu-core clang libclang-rt-14-dev) ;;
    --playground) packages+=(emscripten nodejs chromium fonts-liberation fonts-dejavu-core) ;;
    --runtimes) packages+=(pypy3 ruby ocaml-nox lua5.4) ;;
    *) echo "tools/install-deps.sh: unknown option '$option' (--test, --ci, --playground, --runtimes)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "gilsim: installing missing packages: ${missing[*]}" >&2
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
