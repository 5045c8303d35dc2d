#!/usr/bin/env bash
# Command-line behaviour: exit codes, error formats, -D, --max-steps, dis, bad input.
#   tests/cli_test.sh path/to/gilsim
set -uo pipefail
gilsim="$1"
source "$(dirname "$0")/harness.sh"

run
check "no subcommand exits 2" $([[ $status -eq 2 ]]; echo $?)

run frobnicate
check "unknown subcommand exits 2" $([[ $status -eq 2 ]]; echo $?)
check "unknown subcommand is named, with the commands there are" \
  $(grep -q "'frobnicate' is not a gilsim command (one of: run, .*demo.*)" "$work/err"; echo $?)

mkdir -p "$work/adir"
for cmd in run dis scale; do
  extra=(); [[ $cmd == scale ]] && extra=(--param n=1,2)
  run $cmd "$work/adir" "${extra[@]}"
  check "$cmd of a directory: exit 2, says it is a directory" \
    $([[ $status -eq 2 ]] && grep -q "cannot open '$work/adir': Is a directory" "$work/err"; echo $?)
done
printf 'print("ran")\n' >"$work/ran.gil"
for flag in --json --trace --csv --timeline; do
  run run "$work/ran.gil" $flag /nonexistent/x.out
  check "$flag into a missing folder: exit 2 before running, with the OS's reason" \
    $([[ $status -eq 2 && ! -s "$work/out" ]] &&
      grep -q "cannot write '/nonexistent/x.out': No such file or directory" "$work/err"; echo $?)
done
run run "$work/ran.gil" --json "$work/adir"
check "--json naming a directory: exit 2 before running" \
  $([[ $status -eq 2 && ! -s "$work/out" ]] && grep -q "Is a directory" "$work/err"; echo $?)
run scale "$work/ran.gil" --param n=1,2 --engine sim --svg /nonexistent/s.svg
check "scale --svg into a missing folder: exit 2 before the sweep" \
  $([[ $status -eq 2 ]] && ! grep -q "^\[1/" "$work/err" && grep -q "No such file or directory" "$work/err"; echo $?)

run run "$work/missing.gil"
check "missing file exits 2 and says so" $([[ $status -eq 2 ]] && grep -q "cannot open" "$work/err"; echo $?)

printf 'x = 1\nif x > 0\n    print(x)\n' >"$work/syntax.gil"
run run "$work/syntax.gil"
check "syntax error exits 2" $([[ $status -eq 2 ]]; echo $?)
check "syntax error names file:line:col" $(head -n1 "$work/err" | grep -q "syntax.gil:2:9: SyntaxError: expected ':'"; echo $?)
check "syntax error quotes the line" $(sed -n 2p "$work/err" | grep -qx "    if x > 0"; echo $?)
check "syntax error caret under column 9" $(sed -n 3p "$work/err" | grep -qx "            ^"; echo $?)
check "nothing ran before the syntax error" $([[ ! -s "$work/out" ]]; echo $?)

printf 'def f(a):\n    return g(a)\n\ndef g(b):\n    return 10 // b\n\nprint("before")\nf(0)\n' >"$work/rt.gil"
run run -q "$work/rt.gil"
check "runtime error exits 1" $([[ $status -eq 1 ]]; echo $?)
check "output before the error is kept" $(grep -qx "before" "$work/out"; echo $?)
check "traceback header" $(grep -qx "Traceback (most recent call last):" "$work/err"; echo $?)
check "traceback frames outermost first" $(grep -n 'File ' "$work/err" | tr '\n' '|' | grep -q 'line 8, in <module>.*line 2, in f.*line 5, in g'; echo $?)
check "traceback quotes source lines" $(grep -qx "    return 10 // b" "$work/err"; echo $?)
check "traceback ends with the exception" $(tail -n1 "$work/err" | grep -qx "ZeroDivisionError: integer division or modulo by zero"; echo $?)

printf 'print(param("n", 1), param("f", 0.5), param("s", "x"), param("absent", 7))\n' >"$work/param.gil"
run run "$work/param.gil" -D n=42 -D f=2.5 -D s=hello
check "-D values typed int, float, str; default when absent" $(grep -qx "42 2.5 hello 7" "$work/out"; echo $?)
run run "$work/param.gil" -D novalue
check "-D without = exits 2" $([[ $status -eq 2 ]]; echo $?)

# The words after the script are its sys.argv[1:], as python3 gives them; a forked child sees them
# too. gilsim's own flags may come after them; after --, words that begin with - are the script's.
cat >"$work/argv.py" <<'PY'
import sys
from multiprocessing import Process

def child():
    print("child", sys.argv[1:])

if __name__ == "__main__":
    print(sys.argv[1:], int(sys.argv[1]) * 2)
    p = Process(target=child)
    p.start()
    p.join()
PY
for engine in threads sim; do
  run run -q "$work/argv.py" 21 x --engine $engine
  check "$engine: script arguments are sys.argv[1:], in a forked child too" \
    $([[ $status -eq 0 && "$(cat "$work/out")" == "$(printf "['21', 'x'] 42\nchild ['21', 'x']")" ]]; echo $?)
  run run -q --engine $engine "$work/argv.py" -- 21 -x
  check "$engine: after --, an argument that begins with - is the script's" \
    $([[ $status -eq 0 ]] && grep -qxF "['21', '-x'] 42" "$work/out"; echo $?)
done
printf 'import sys\nprint(sys.argv == [sys.argv[0]], sys.argv[0].endswith("argv0.py"))\n' >"$work/argv0.py"
run run -q "$work/argv0.py"
check "no script arguments: sys.argv is [the script]" $(grep -qx "True True" "$work/out"; echo $?)

printf 'i = 0\nwhile True:\n    i += 1\n' >"$work/forever.gil"
run run "$work/forever.gil" --max-steps 100000
check "--max-steps stops a runaway loop with exit 1" $([[ $status -eq 1 ]] && grep -q "StepLimitError" "$work/err"; echo $?)

run dis "$work/rt.gil"
check "dis shows each code object" $(grep -q "Disassembly of <module>" "$work/out" && grep -q "Disassembly of g" "$work/out"; echo $?)
check "dis resolves operands" $(grep -q "LOAD_GLOBAL .*(g)" "$work/out" && grep -q "LOAD_CONST .*(10)" "$work/out"; echo $?)
run dis --opcodes
check "dis --opcodes lists the table" $(grep -q "^JUMP_BACKWARD " "$work/out" && grep -q "^LOAD_FAST " "$work/out"; echo $?)

# A script function called by a builtin (map) runs in a nested eval loop: it may wait on the
# threads engine; on the sim engine, where waiting suspends the thread, it is a clear RuntimeError.
printf 'def slow(x):\n    io(1)\n    return x\nprint(list(map(slow, range(3))))\n' >"$work/nested_io.gil"
run run "$work/nested_io.gil" --engine threads
check "io() inside map() works on the threads engine" $([[ $status -eq 0 ]] && grep -qx "\[0, 1, 2\]" "$work/out"; echo $?)
run run "$work/nested_io.gil" --engine sim
check "io() inside map() on the sim engine: RuntimeError, exit 1" $([[ $status -eq 1 ]] && grep -q "RuntimeError: io() cannot wait inside a function called by a builtin" "$work/err"; echo $?)
# Taking a free lock there needs no wait (futures' sorted(f.result() for f in done)); a lock held
# by another thread is the same RuntimeError.
run run "$(dirname "$0")/scripts/nested_free_lock.gil" --engine sim -q
check "a free lock inside sorted(key=) and list(gen) on the sim engine" $([[ $status -eq 0 ]] && grep -qx "False 12" "$work/out"; echo $?)
# A for loop calls a user __next__ as a frame: it may wait for a lock on the sim engine too.
run run "$(dirname "$0")/scripts/for_user_next.gil" --engine sim -q
check "a user __next__ waits for a lock inside a for loop on the sim engine" $([[ $status -eq 0 ]] && grep -qx "\[10, 20\]" "$work/out" && grep -qx "b" "$work/out"; echo $?)
printf 'import threading\nlock = threading.Lock()\ndef f(x):\n    with lock:\n        return x\ndef holder():\n    lock.acquire()\n    sleep(50)\n    lock.release()\nt = spawn(holder)\nsleep(10)\nprint(list(map(f, [1])))\n' >"$work/nested_held.gil"
run run "$work/nested_held.gil" --engine sim
check "a held lock inside map() on the sim engine: RuntimeError, exit 1" $([[ $status -eq 1 ]] && grep -q "RuntimeError: with on a lock cannot wait inside" "$work/err"; echo $?)

head -c 4096 /dev/urandom >"$work/binary.gil"
run run "$work/binary.gil"
check "binary input: exit 2, no crash" $([[ $status -eq 2 ]]; echo $?)

python_like_nesting=$(printf '%.0s(' $(seq 100000))
printf 'x = %s1\n' "$python_like_nesting" >"$work/nested.gil"
run run "$work/nested.gil"
check "100,000 nested parentheses: clear error" $([[ $status -eq 2 ]] && grep -q "too many nested parentheses" "$work/err"; echo $?)

awk 'BEGIN { for (i = 0; i < 150; i++) { printf "%" (i * 4) "sif True:\n", "" } printf "%" (150 * 4) "sprint(1)\n", "" }' >"$work/deep_blocks.gil"
run run "$work/deep_blocks.gil"
check "150 nested blocks: IndentationError, exit 2" $([[ $status -eq 2 ]] && grep -q "too many levels of indentation" "$work/err"; echo $?)

awk 'BEGIN { for (i = 0; i < 200000; i++) print "x = " i " + 1" } END { print "print(x)" }' >"$work/huge.gil"
run run "$work/huge.gil"
check "a 200,000-line script runs" $([[ $status -eq 0 ]] && grep -qx "200000" "$work/out"; echo $?)

run bench --scale 0.002 --repeat 1
check "bench prints its table" $([[ $status -eq 0 ]] && grep -q "^count " "$work/out" && grep -q "^arith " "$work/out" && grep -q "^method " "$work/out"; echo $?)
check "bench's memory section: a peak RSS for every script" \
  $(for s in empty ints strdict objects cycles cycles10; do grep -Eq "^$s +[0-9]+ " "$work/out" || exit 1; done; echo 0)

run policies
check "policies lists every policy" $(for p in legacy modern fifo io-priority gvl gvl-3.2 pypy ocaml lua none free-threaded; do grep -q "^$p\$" "$work/out" || exit 1; done; echo 0)
check "policies give the new designs' sources" \
  $(grep -q "thread_gil.c" "$work/out" && grep -q "st_posix.h" "$work/out" &&
    grep -q "_PyEval_EnableGILPermanent" "$work/out"; echo $?)

run run "$work/ran.gil" --policy pypy --gil-param nosuch=1
check "--gil-param with an unknown key: exit 2, names the keys" \
  $([[ $status -eq 2 ]] && grep -q "KEY one of checkinterval, poll, tick" "$work/err"; echo $?)
run run "$work/ran.gil" --policy free-threaded --gil-param PYTHON_GIL=2
check "--gil-param PYTHON_GIL=2: exit 2" \
  $([[ $status -eq 2 ]] && grep -q "is not 0 or 1" "$work/err"; echo $?)
run run "$work/ran.gil" --policy ocaml --gil-param tick=20ms --json "$work/p.json"
check "--gil-param values reach --json's params.gil_param" \
  $([[ $status -eq 0 ]] && grep -q '"tick": 20000000' "$work/p.json"; echo $?)

run fidelity --only lua --repeat 1
check "fidelity skips a runtime that is missing, saying why" \
  $([[ $status -eq 0 ]] && grep -q "^skipped lua (policy lua): not found" "$work/out"; echo $?)
run fidelity --only no-such-runtime
check "fidelity: an unknown runtime is a usage error" $([[ $status -eq 2 ]]; echo $?)

printf 'def w(n):\n    io(n)\n\nts = [spawn(w, 5), spawn(w, 10)]\nfor t in ts:\n    t.join()\nprint("ok")\n' >"$work/threads.gil"
run run "$work/threads.gil" --json "$work/r.json"
check "a threaded run prints the summary table on stderr" $(grep -q "^thread .*run s" "$work/err" && grep -q "^Thread-2 (w) " "$work/err" && grep -q "^GIL: " "$work/err"; echo $?)
check "--json writes DESIGN.md's keys" $(python3 -c "
import json,sys
d=json.load(open('$work/r.json'))
need=['wall_s','policy','params','engine','threads','gil']
assert all(k in d for k in need), d.keys()
t=d['threads'][1]
assert all(k in t for k in ['name','run_s','wait_s','io_s','native_s','blocked_s','bytecodes','acquisitions'])
g=d['gil']
assert all(k in g for k in ['acquisitions','switches','drop_requests','forced_switches','held_fraction','wait_latency_ms'])
assert set(g['wait_latency_ms'])=={'p50','p99','max'}
assert d['policy']=='modern' and d['engine']=='threads' and t['io_s']>=0.004
" 2>&1; echo $?)

check "docs/results.md names exactly the --json keys a run writes" \
  $(python3 "$(dirname "$0")/json_keys_documented.py" "$work/r.json" "$(dirname "$0")/../docs/results.md"; echo $?)

run run "$work/threads.gil" --policy nosuch
check "unknown policy: exit 2, names the choices" $([[ $status -eq 2 ]] && grep -q "one of: legacy, modern" "$work/err"; echo $?)
run run "$work/threads.gil" --switch-interval 5
check "a duration without a unit: exit 2, says to add one" $([[ $status -eq 2 ]] && grep -q "needs a unit" "$work/err"; echo $?)

printf 'def spin():\n    while True:\n        pass\n\nt = spawn(spin)\nt.join()\n' >"$work/spin.gil"
run run "$work/spin.gil" --timeout 300ms --json "$work/t.json"
check "--timeout stops with exit 124 and still writes results" $([[ $status -eq 124 ]] && grep -q "stopped by --timeout" "$work/err" && grep -q '"stop": "timeout"' "$work/t.json"; echo $?)

# The signal goes once the script runs: print(..., flush=True) reaches the file at once, as in
# Python (a fixed wait of 0.5 s was too short for an ASan build on a loaded machine, and the
# signal then killed gilsim before its handler was set). Then sys.stdout.flush() on the sim engine.
# start_spinning SCRIPT [FLAGS...]: runs it in the background ($pid); 0 once it printed "started".
start_spinning() {
  local script=$1
  shift
  timeout 60 "$gilsim" run -q "$@" "$script" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 300); do grep -q started "$work/out" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
printf 'print("started", flush=True)\nwhile True:\n    pass\n' >"$work/spin_started.py"
start_spinning "$work/spin_started.py"
check "print(flush=True) reaches a redirected stdout while the run goes on" $?
kill -INT $pid
wait $pid
status=$?
check "Ctrl-C stops the run cleanly (exit 130)" $([[ $status -eq 130 ]] && grep -q "interrupted" "$work/err"; echo $?)
printf 'import sys\nsys.stdout.write("started\\n")\nsys.stdout.flush()\nwhile True:\n    pass\n' >"$work/spin_flush.py"
start_spinning "$work/spin_flush.py" --engine sim
check "sys.stdout.flush() on the sim engine: the line is out while the run goes on" $?
kill -INT $pid
wait $pid

printf 'a = Lock()\nb = Lock()\ndef f():\n    with b:\n        sleep(20)\n        with a:\n            pass\n\nwith a:\n    t = spawn(f)\n    sleep(20)\n    with b:\n        pass\n' >"$work/dead.gil"
run run -q "$work/dead.gil"
check "a deadlock is reported with the cycle, exit 1" $([[ $status -eq 1 ]] && grep -q "deadlock" "$work/err" && grep -q "cycle: " "$work/err"; echo $?)

run run -q "$work/threads.gil" --trace "$work/tr.json" --csv "$work/tr.csv" --timeline "$work/tl.html"
check "--trace, --csv, --timeline are written" $([[ $status -eq 0 && -s "$work/tr.json" && -s "$work/tl.html" ]] && head -n1 "$work/tr.csv" | grep -qx "thread,state,start_us,end_us,reason"; echo $?)
run check "$work/tr.json"
check "gilsim check accepts a trace gilsim wrote" $([[ $status -eq 0 ]] && grep -q "ok, every invariant holds" "$work/out"; echo $?)
run check "$(dirname "$0")/traces/overlap_running.json"
check "gilsim check names a violation and exits 1" $([[ $status -eq 1 ]] && grep -q "two threads hold the GIL" "$work/out"; echo $?)
printf 'not json' >"$work/bad.json"
run check "$work/bad.json"
check "gilsim check on a non-JSON file exits 1" $([[ $status -eq 1 ]] && grep -q "not valid JSON" "$work/err"; echo $?)
run run -q "$work/spin.gil" --timeout 200ms --trace "$work/stopped.json"
check "a trace of a stopped run is complete and passes check" $([[ $status -eq 124 ]] && "$gilsim" check "$work/stopped.json" >/dev/null; echo $?)

# The sim engine from the command line: every output file, every policy's trace passes check,
# and the seed alone decides the trace (byte for byte).
printf 'def w(n):\n    io(n)\n    i = 0\n    while i < 20000:\n        i += 1\n\nts = [spawn(w, 5), spawn(w, 10)]\nfor t in ts:\n    t.join()\nprint("ok")\n' >"$work/simw.gil"
sim_ok=0
for p in legacy modern fifo io-priority gvl none; do
  run run -q --engine sim --cores 2 --seed 3 --policy "$p" "$work/simw.gil" --trace "$work/sim-$p.json" \
    --csv "$work/sim-$p.csv" --timeline "$work/sim-$p.html" --json "$work/sim-$p.r.json"
  [[ $status -eq 0 && -s "$work/sim-$p.html" ]] && grep -qx "ok" "$work/out" &&
    head -n1 "$work/sim-$p.csv" | grep -qx "thread,state,start_us,end_us,reason" &&
    grep -q '"engine": "sim"' "$work/sim-$p.r.json" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["sim"] != {"cores": 2, "seed": 3})' "$work/sim-$p.r.json" &&
    "$gilsim" check "$work/sim-$p.json" | grep -q "ok, every invariant holds" || { sim_ok=1; echo "     policy $p"; }
done
check "--engine sim writes --trace/--csv/--timeline/--json; gilsim check passes for every policy" $sim_ok
run run -q --engine sim --seed 3 "$work/simw.gil" --trace "$work/seed3a.json"
run run -q --engine sim --seed 3 "$work/simw.gil" --trace "$work/seed3b.json"
run run -q --engine sim --seed 4 "$work/simw.gil" --trace "$work/seed4.json"
check "--engine sim: the same seed gives a byte-identical trace, another seed does not" \
  $(cmp -s "$work/seed3a.json" "$work/seed3b.json" && ! cmp -s "$work/seed3a.json" "$work/seed4.json"; echo $?)
run run -q --engine sim --cores 0 "$work/simw.gil"
check "--engine sim --cores 0: usage error, exit 2" $([[ $status -eq 2 ]]; echo $?)

# gilsim crosscheck: both engines side by side, one table per workload and policy, a ratio column.
printf 'def w():\n    i = 0\n    while i < 200000:\n        i += 1\n\nts = [spawn(w), spawn(w)]\nfor t in ts:\n    t.join()\n' >"$work/cc.gil"
run crosscheck "$work/cc.gil" --policy modern,none
check "crosscheck: a table per policy with threads, sim and their ratio" \
  $([[ $status -eq 0 ]] && [[ $(grep -c "^  figure  *threads  *sim  *ratio$" "$work/out") -eq 2 ]] &&
    grep -q "cc.gil --policy modern" "$work/out" && grep -q "cc.gil --policy none" "$work/out" &&
    grep -Eq "^  GIL switches / s +[0-9.]+ +[0-9.]+ +([0-9.]+|-)$" "$work/out" &&
    grep -Eq "^  wall s +[0-9.]+ +[0-9.]+ +[0-9.]+$" "$work/out"; echo $?)
run crosscheck "$work/cc.gil" --policy no-such
check "crosscheck with an unknown policy: usage error, exit 2" $([[ $status -eq 2 ]]; echo $?)

# A busy host: the run shares one core with two busy loops, so its threads get about a third of
# the core time they want; gilsim says so and points to the sim engine. Alone on the core: quiet.
printf 'def c(n):\n    i = 0\n    while i < n:\n        i += 1\nt = spawn(c, 3000000)\nc(3000000)\nt.join()\n' >"$work/busy.gil"
taskset -c 0 sh -c 'while :; do :; done' & hog1=$!
taskset -c 0 sh -c 'while :; do :; done' & hog2=$!
timeout 120 taskset -c 0 "$gilsim" run "$work/busy.gil" >"$work/out" 2>"$work/err"
status=$?
timeout 120 taskset -c 0 "$gilsim" run -q "$work/busy.gil" >"$work/out" 2>"$work/err_quiet"
status_quiet=$?
kill $hog1 $hog2; wait $hog1 $hog2 2>/dev/null
check "threads engine on a busy core: a note that the host was busy, suggesting --engine sim" \
  $([[ $status -eq 0 ]] && grep -q "got [0-9]* % of the core time they needed" "$work/err" &&
    grep -q -- "--engine sim" "$work/err"; echo $?)
check "the same with -q: no summary, so no note (stderr is only the script's)" \
  $([[ $status_quiet -eq 0 && ! -s "$work/err_quiet" ]]; echo $?)
run run -q --engine sim --cores 2 "$work/busy.gil"
check "sim engine: no busy-host note" $([[ $status -eq 0 ]] && ! grep -q "core time" "$work/err"; echo $?)

# gilsim bench says what it measured and how, not the project's own targets.
run bench --scale 0.002 --repeat 1
check "bench: exit 0, no project targets or issue numbers in its output" \
  $([[ $status -eq 0 ]] && ! grep -qi "target\|issue" "$work/out" && grep -q "median of" "$work/out"; echo $?)

# gilsim fidelity's real-runtime side: the one Python file runs under every Python found (2.7's
# print and division through the __future__ flags), with the same `key value` lines as gilsim.
phenomena="$(dirname "$0")/../tools/runtimes/phenomena.py"
for py in ~/.pyenv/versions/2.7*/bin/python2.7 ~/.pyenv/versions/3.13*/bin/python3.13 pypy3; do
  command -v "$py" >/dev/null || continue
  out=$("$py" "$phenomena" cpu 2 20000 && "$py" "$phenomena" sleep0 0 20 && "$py" "$phenomena" requests 2 3 1)
  check "phenomena.py under $(basename "$py"): wall_s, ops, p50_us, p90_us" \
    $(grep -q "^wall_s [0-9.]*$" <<<"$out" && grep -q "^ops [0-9]*$" <<<"$out" &&
      grep -q "^p90_us [0-9.]*$" <<<"$out"; echo $?)
done
run run "$(dirname "$0")/../tools/runtimes/phenomena.py" --engine sim -q requests 8 127 35
check "phenomena.py: 127 requests of 35 ms on 8 workers take 16 rounds on the sim engine" \
  $(grep -q "^wall_s 0.561[0-9]*$" "$work/out"; echo $?)

finish
