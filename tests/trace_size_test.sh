#!/bin/sh
# The trace's size on disk, as docs/traces.md states it: the legacy demo's run on the sim engine
# (exact, the same events on every host), written as .json and as .json.gz. Checks that the
# figures on the page are what this build writes, that the gzip file is the same trace (it
# decompresses to the .json byte for byte) and that `gilsim check` reads both.
# Usage: trace_size_test.sh GILSIM REPO_ROOT
set -eu
gilsim=$1
root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$root"
"$gilsim" run workloads/cpu_bound.py --policy legacy -D threads=2 -D n=5000000 --engine sim \
  --cores 2 --trace "$dir/legacy.json" --json "$dir/result.json" >/dev/null
"$gilsim" run workloads/cpu_bound.py --policy legacy -D threads=2 -D n=5000000 --engine sim \
  --cores 2 --trace "$dir/legacy.json.gz" >/dev/null
"$gilsim" check "$dir/legacy.json"
"$gilsim" check "$dir/legacy.json.gz"
gzip -dc "$dir/legacy.json.gz" | cmp - "$dir/legacy.json"
python3 - "$dir" docs/traces.md <<'PY'
import json, os, re, sys
d, page = sys.argv[1], open(sys.argv[2]).read()
events = json.load(open(os.path.join(d, "result.json")))["events"]["recorded"]
fail = 0
for name, tol in (("legacy.json", 0.05), ("legacy.json.gz", 0.3)):
    size = os.path.getsize(os.path.join(d, name))
    m = re.search(r"^\| `%s` \| ([\d.]+) MB \| ([\d.]+) \|" % re.escape(name), page, re.M)
    if not m:
        print("FAIL: docs/traces.md has no row for", name); fail = 1; continue
    mb, per = float(m.group(1)), float(m.group(2))
    got = size / events
    print(f"{name}: {size} bytes, {events} events, {got:.2f} bytes per event; the page says {mb} MB, {per}")
    # .json is exact on the sim engine; .json.gz may differ a little between zlib versions
    if abs(got - per) > tol or abs(size / 1e6 - mb) > max(0.05, tol * events / 1e6):
        print("FAIL: the page's figures for", name, "are not what this build writes"); fail = 1
sys.exit(fail)
PY
echo ok
