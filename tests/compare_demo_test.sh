#!/usr/bin/env bash
# gilsim compare and gilsim demo: runners side by side, exit codes, the 8 demos under the sim
# engine (--quick) with their traces and timelines written and every trace passing gilsim check.
#   tests/compare_demo_test.sh path/to/gilsim REPO_ROOT
set -uo pipefail
gilsim=$(realpath "$1")
root="$2"
source "$(dirname "$0")/harness.sh"
cd "$work"  # demos write ./gilsim-demo/ by default

# The table row of a runner: its wall time and ratio columns.
row() { grep -E "^$1" "$work/out"; }

small=(-D n=200000 -D threads=2)

# --- compare -----------------------------------------------------------------------------------
if command -v python3 >/dev/null; then
  run compare "$root/workloads/cpu_bound.py" --cpython --engine sim --cores 2 "${small[@]}"
  check "compare --cpython exits 0" $([[ $status -eq 0 ]]; echo $?)
  check "compare --cpython shows CPython's output and gilsim's" \
    $([[ $(grep -c "^threads 2: elapsed" "$work/out") -eq 2 ]]; echo $?)
  check "compare --cpython table: CPython at 1.00x" \
    $(row "CPython 3\.[0-9.]+ " | grep -qE " 1\.00x "; echo $?)
  check "compare --cpython table: gilsim modern with a ratio and the printed speedups" \
    $(row "gilsim modern \(sim, 2 cores\)" | grep -qE "[0-9]+\.[0-9]+x +1\.0 [0-9.]+"; echo $?)
  # The ratio is computed: wall / CPython's wall. The tolerance is what printing rounds away:
  # walls to 1 ms, the ratio to 0.01.
  ratio_ok=$(awk '/^CPython 3/ {base=$3} /^gilsim modern/ {w=$(NF-3); r=$(NF-2)}
                 END {sub("x","",r); d=w/base-r; tol=r*(0.0005/w+0.0005/base)+0.006;
                      print (base>0 && r>0 && d*d <= tol*tol) ? 0 : 1}' "$work/out")
  check "compare ratio = gilsim wall / CPython wall" "$ratio_ok"
else
  echo "skip compare --cpython: no python3"
fi

# --timeline: one page, every policy's run in it (the browser test draws such a page).
run compare "$root/workloads/cpu_bound.py" --policy legacy,modern,none --engine sim --cores 2 \
  "${small[@]}" --timeline "$work/cmp.html"
check "compare --timeline exits 0 and says where the page is" \
  $([[ $status -eq 0 ]] && grep -q "^timeline: $work/cmp.html (the 3 runs on one time axis" "$work/out"; echo $?)
runs=$(python3 -c '
import json, re, sys
page = open(sys.argv[1]).read()
data = json.loads(re.search(r"id=\"gilsim-data\">(.*?)</script>", page, re.S).group(1))
print(data["format"], " ".join(r["policy"] for r in data["runs"]))' "$work/cmp.html" 2>&1)
check "compare --timeline holds the three runs in policy order: $runs" \
  $([[ "$runs" == "gilsim-compare legacy modern none" ]]; echo $?)
run compare "$root/workloads/hello.py" --engine sim --timeline /nonexistent/dir/cmp.html
check "compare --timeline to an unwritable path exits 2 before running" \
  $([[ $status -eq 2 ]] && ! grep -q "^── gilsim" "$work/out"; echo $?)

run compare "$root/workloads/hello.py" --cpython --python /nonexistent/python3
check "compare --python /nonexistent exits 2" $([[ $status -eq 2 ]]; echo $?)
check "compare --python /nonexistent says no interpreter was found" \
  $(grep -q "gilsim compare: no Python interpreter '/nonexistent/python3' found" "$work/err"; echo $?)

run compare "$root/workloads/cpu_bound.py" --policy modern,none --engine sim --cores 2 "${small[@]}"
check "compare two policies exits 0" $([[ $status -eq 0 ]]; echo $?)
check "compare two policies: a row for each, no CPython" \
  $(row "gilsim modern" >/dev/null && row "gilsim none" >/dev/null && ! grep -q "^CPython" "$work/out"; echo $?)
check "compare two policies: none is ~2x faster than modern on 2 sim cores" \
  $(row "gilsim none" | awk '{r=$(NF-2); sub("x","",r); exit !(r > 0.6 && r < 0.85)}'; echo $?)

run compare "$root/workloads/hello.py" --policy modern,bogus
check "compare with an unknown policy exits 2" $([[ $status -eq 2 ]]; echo $?)

# --- demo --------------------------------------------------------------------------------------
names="processes cpu-vs-io seed race convoy old-vs-new free-threading extension"
run demo --list
check "demo --list lists the 8 demos in order" \
  $([[ "$(awk '{print $1}' "$work/out" | tr '\n' ' ')" == "$names " ]]; echo $?)

run demo nonesuch
check "demo with an unknown name exits 2 naming the choices" \
  $([[ $status -eq 2 ]] && grep -q "unknown demo 'nonesuch' (one of: processes, cpu-vs-io, seed, race, convoy, old-vs-new, free-threading, extension)" "$work/err"; echo $?)

run demo
check "demo without a name lists them and says how to run one" \
  $([[ $status -eq 0 ]] && grep -q "gilsim demo NAME" "$work/out" && grep -q "^race " "$work/out"; echo $?)

run demo --all --quick --engine sim --out "$work/demos"
check "demo --all --quick --engine sim exits 0" $([[ $status -eq 0 ]]; echo $?)
for name in $names; do
  check "demo $name ran and said what to notice" \
    $(grep -q "demo [0-9]/8: $name " "$work/out" && grep -q "What to notice" "$work/out"; echo $?)
done
# A notice quotes the numbers its run printed; a '?' means one could not be read.
check "every notice found its numbers" $([[ $(grep -c "^What to notice" "$work/out") -eq 8 ]] && ! sed -n '/^What to notice/,/^════/p' "$work/out" | grep -qE "(^| )\?( |$|x)"; echo $?)
traces=("$work"/demos/*.json)
check "demos wrote 13 traces and 13 timelines" \
  $([[ ${#traces[@]} -eq 13 && $(ls "$work"/demos/*.html | wc -l) -eq 13 ]]; echo $?)
bad=0
for t in "${traces[@]}"; do "$gilsim" check "$t" >/dev/null || { echo "     bad trace: $t"; bad=1; }; done
check "every demo trace passes gilsim check" "$bad"
check "demo race: += loses updates under none, the Lock loses none" \
  $(sed -n '/^── none: gilsim run .*workloads\/race/,/^──/p' "$work/out" |
    awk '/counter \+= 1:/ && !/with lock/ {a=$(NF-2)} /with lock/ {b=$(NF-2)} END {exit !(a > 0 && b == 0)}'; echo $?)
check "demo convoy: modern ms per op far above io-priority's" \
  $(grep "with 1 CPU threads" "$work/out" | awk '{v[NR]=$NF} END {exit !(v[1] > 10 * v[2])}'; echo $?)

run demo race --engine sim --quick --out "$work/one"
check "demo NAME --out DIR creates DIR and writes only that demo's files" \
  $([[ $status -eq 0 && $(ls "$work/one" | wc -l) -eq 4 && -f "$work/one/race-none.html" ]]; echo $?)
# The "run it by hand" line works from where the demo was run (here: not the repository).
by_hand=$(sed -n 's/^── modern: gilsim run //p' "$work/out")
eval "timeout 120 \"\$gilsim\" run $by_hand" >"$work/hand.out" 2>"$work/hand.err"
check "a demo's run-it-by-hand command runs from another directory" \
  $([[ $? -eq 0 ]] && grep -q "with lock: counter += 1" "$work/hand.out"; echo $?)

finish
