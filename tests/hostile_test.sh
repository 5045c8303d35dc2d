#!/usr/bin/env bash
# Hostile input (issue 15): every script here once crashed gilsim, hung it, grew it without bound
# or left a broken output file. Each must now end cleanly, on both engines, with the message a
# Python user expects; every trace written after an error must pass `gilsim check`.
#   tests/hostile_test.sh path/to/gilsim
set -uo pipefail
gilsim="$1"
source "$(dirname "$0")/harness.sh"

engines="threads sim"

# runs SCRIPT on an engine with a trace and --json; checks exit status, last stderr line, and that
# the trace passes `gilsim check` and the JSON parses.
expect_error() {  # expect_error NAME ENGINE EXPECTED_STATUS LAST_LINE_REGEX SCRIPT_FILE [FLAGS...]
  local name="$1" engine="$2" want="$3" regex="$4" script="$5"
  shift 5
  rm -f "$work/t.json" "$work/r.json"
  run run -q --engine "$engine" "$script" --timeout 60s --trace "$work/t.json" --json "$work/r.json" "$@"
  check "$name ($engine): exit $want, '$regex'" \
    $([[ $status -eq $want ]] && grep -v "^gilsim: note:" "$work/err" | tail -n1 | grep -Eq "$regex"; echo $?)
  timeout 60 "$gilsim" check "$work/t.json" >"$work/check.out" 2>&1
  check "$name ($engine): its trace passes gilsim check" $?
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$work/r.json" 2>/dev/null
  check "$name ($engine): its --json parses" $?
}

# 1. Thread and process bombs: RuntimeError in the script, never std::system_error / abort.
printf 'def f():\n    spawn_process(f)\n    spawn_process(f)\n    io(50)\nf()\n' >"$work/pbomb.gil"
printf 'def f():\n    io(1000)\nwhile True:\n    spawn(f)\n' >"$work/tbomb.gil"
# ThreadSanitizer's runtime (libtsan.so.2) tracks 256 live threads at once; past that it recycles
# its slots over and over (200 OS threads: 27 s and 3 GB; 400: it runs out of mappings). Under it the
# bomb meets a limit of 100 instead of the default 1,000; the error path is the same.
tbomb_limit=(); [[ "${GILSIM_SANITIZE:-}" == thread ]] && tbomb_limit=(--max-threads 100)
for e in $engines; do
  # (Processes end after io(50), so the bomb goes on until --max-spawns: kept small here.)
  expect_error "process bomb" $e 1 "^RuntimeError: can't start new process$" "$work/pbomb.gil" --max-spawns 500
  expect_error "thread bomb" $e 1 "^RuntimeError: can't start new thread$" "$work/tbomb.gil" "${tbomb_limit[@]}"
done
run run -q --engine sim "$work/tbomb.gil" --max-threads 5
printf 'def f():\n    io(1000)\nfor i in range(10):\n    spawn(f)\n    print(i)\n' >"$work/five.gil"
run run -q --engine sim "$work/five.gil" --max-threads 5
check "--max-threads 5: main + 4 alive, the 5th spawn fails" \
  $([[ $status -eq 1 ]] && [[ "$(tail -n1 "$work/out")" == 3 ]] && tail -n1 "$work/err" | grep -q "RuntimeError: can't start new thread"; echo $?)

# 12. A chain of threads, each spawning the next and ending: --max-spawns ends it.
printf 'def f(n):\n    spawn(f, n + 1)\nf(0)\n' >"$work/chain.gil"
for e in $engines; do
  expect_error "spawn chain" $e 1 "^RuntimeError: can't start new thread$" "$work/chain.gil" --max-spawns 300
done

# 2. Growth bombs: MemoryError in the script, deterministic on the sim engine.
printf 's = "x"\nwhile True:\n    s = s + s\n' >"$work/sbomb.gil"
printf 'a = [0]\nwhile True:\n    a = a + a\n' >"$work/lbomb.gil"
printf 'a = [0] * 2**31\n' >"$work/lrep.gil"
printf 'a = []\nwhile True:\n    a.append("x" * 1000)\n' >"$work/abomb.gil"
printf 'a = None\nwhile True:\n    a = [a]\n' >"$work/chainbomb.gil"
printf 't = (0,)\nwhile True:\n    t = t + t\n' >"$work/tupbomb.gil"
printf 't = None\nwhile True:\n    t = (t,)\n' >"$work/tchain.gil"
printf 'd = {}\ni = 0\nwhile True:\n    d[i] = i\n    i += 1\n' >"$work/dbomb.gil"
printf 's = set()\ni = 0\nwhile True:\n    s.add(i)\n    i += 1\n' >"$work/setbomb.gil"
for e in $engines; do
  expect_error "str doubling" $e 1 "^MemoryError" "$work/sbomb.gil" --max-memory 64M
  expect_error "list doubling" $e 1 "^MemoryError" "$work/lbomb.gil" --max-memory 64M
  expect_error "[0] * 2**31" $e 1 "^MemoryError" "$work/lrep.gil"
  expect_error "append loop" $e 1 "^MemoryError" "$work/abomb.gil" --max-memory 64M
  expect_error "nested-list chain" $e 1 "^MemoryError" "$work/chainbomb.gil" --max-memory 64M
  expect_error "tuple doubling" $e 1 "^MemoryError" "$work/tupbomb.gil" --max-memory 64M
  expect_error "nested-tuple chain" $e 1 "^MemoryError" "$work/tchain.gil" --max-memory 16M
  expect_error "dict of ints" $e 1 "^MemoryError" "$work/dbomb.gil" --max-memory 16M
  expect_error "set of ints" $e 1 "^MemoryError" "$work/setbomb.gil" --max-memory 16M
done
run run -q --engine sim "$work/sbomb.gil"
check "str doubling with the default ceiling: MemoryError" \
  $([[ $status -eq 1 ]] && tail -n1 "$work/err" | grep -q "^MemoryError"; echo $?)
printf 'x = "ab" * 1000\nprint(len(x))\nfor i in range(200000):\n    s = "y" * 1000\nprint("ok")\n' >"$work/steady.gil"
run run -q --engine sim "$work/steady.gil" --max-memory 1M
check "freed objects give their bytes back" $([[ $status -eq 0 ]] && tail -n1 "$work/out" | grep -qx ok; echo $?)
printf 'd = {}\ns = set()\nfor i in range(100000):\n    d[i] = i\n    s.add(i)\n    if i >= 10:\n        d.pop(i - 10)\n        s.discard(i - 10)\nd.clear()\nprint("ok")\n' >"$work/churn.gil"
run run -q --engine sim "$work/churn.gil" --max-memory 1M
check "keys leaving a dict or a set give their bytes back" $([[ $status -eq 0 ]] && tail -n1 "$work/out" | grep -qx ok; echo $?)
run run -q "$work/steady.gil" --max-memory lots
check "--max-memory with a bad size exits 2" $([[ $status -eq 2 ]] && grep -q "max-memory" "$work/err"; echo $?)

# 4 and 7. Durations beyond what an engine can represent: the same clear error on both.
for e in $engines; do
  printf 'native_hold(1e300)\n' >"$work/d1.gil"
  expect_error "native_hold(1e300)" $e 1 "^OverflowError: native_hold\(\) duration too large" "$work/d1.gil"
  printf 'native(9.2e18)\n' >"$work/d2.gil"
  expect_error "native(9.2e18)" $e 1 "^OverflowError: native\(\) duration too large" "$work/d2.gil"
  printf 'io(float("nan"))\n' >"$work/d3.gil"
  expect_error "io(nan)" $e 1 "^ValueError: io\(\) duration must be a number, not NaN$" "$work/d3.gil"
  printf 'sleep(-1)\n' >"$work/d4.gil"
  expect_error "sleep(-1)" $e 1 "^ValueError: sleep\(\) duration must be non-negative$" "$work/d4.gil"
  printf 'io(float("inf"))\n' >"$work/d5.gil"
  expect_error "io(inf)" $e 1 "^OverflowError: io\(\) duration too large" "$work/d5.gil"
done
printf 'io(1e10)\n' >"$work/d6.gil"
expect_error "io(1e10)" sim 1 "^OverflowError: io\(\) duration too large" "$work/d6.gil"
printf 'for i in range(30):\n    io(5e8)\n    print(now_ms())\n' >"$work/clock.gil"
run run -q --engine sim "$work/clock.gil" --trace "$work/t.json"
check "30 x io(5e8) (sim): OverflowError at the 18th" \
  $([[ $status -eq 1 ]] && [[ $(wc -l <"$work/out") -eq 17 ]] && tail -n1 "$work/err" | grep -q "^OverflowError: io() duration too large"; echo $?)
check "the clock is right up to the limit" $(tail -n1 "$work/out" | grep -q "^85000000[0-9][0-9]\.[0-9]*$"; echo $?)
"$gilsim" check "$work/t.json" >/dev/null 2>&1
check "30 x io(5e8) (sim): its trace passes gilsim check" $?

# 5. A thread spawned with the wrong number of arguments: the trace still passes check.
printf 'def f(a):\n    pass\nt = spawn(f)\nt.join()\n' >"$work/badspawn.gil"
for e in $engines; do
  expect_error "spawn with a missing argument" $e 1 "^TypeError: f\(\) missing 1 required positional argument" "$work/badspawn.gil"
done

# 6. --json with a -D value or a script name that is not UTF-8.
printf 'print(param("n", 1))\n' >"$work/p.gil"
cp "$work/p.gil" "$work/$(printf 'n\xff.gil')"
run run -q "$work/p.gil" -D "$(printf 'n=\xff\xfe')" --json "$work/r.json"
check "-D value not UTF-8: --json written" $([[ $status -eq 0 ]] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/r.json"; echo $?)
run run -q "$work/$(printf 'n\xff.gil')" --json "$work/r.json"
check "file name not UTF-8: --json written" $([[ $status -eq 0 ]] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/r.json"; echo $?)

# 8. Out-of-range \U escapes: CPython's SyntaxError, no int overflow.
printf 'x = "\\UFFFFFFFF"\n' >"$work/esc.gil"
run run "$work/esc.gil"
check '\UFFFFFFFF: SyntaxError as CPython words it' \
  $([[ $status -eq 2 ]] && grep -q "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character" "$work/err"; echo $?)
printf 'x = "ab\\U00110000"\n' >"$work/esc2.gil"
run run "$work/esc2.gil"
check '\U00110000: position 2-11' $([[ $status -eq 2 ]] && grep -q "position 2-11: illegal" "$work/err"; echo $?)

# 9. SIGTERM and SIGHUP stop the run as Ctrl-C does: outputs written, stdout flushed.
printf 'print("started", flush=True)\nwhile True:\n    io(1)\n' >"$work/forever_io.gil"
for sig in TERM HUP INT; do
  rm -f "$work/s.json"
  "$gilsim" run -q "$work/forever_io.gil" --json "$work/s.json" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 50); do grep -q started "$work/out" 2>/dev/null && break; sleep 0.1; done
  kill -$sig $pid
  wait $pid
  status=$?
  want=$((128 + $(kill -l $sig)))
  check "SIG$sig: exit $want, stdout flushed, --json written" \
    $([[ $status -eq $want ]] && grep -qx started "$work/out" && [[ -s "$work/s.json" ]]; echo $?)
done

# 11. Smaller ones.
printf 'print(9.2e18 in range(9223372036854775807))\nprint(-9223372036854775808.0 in range(-9223372036854775807 - 1, 0))\n' >"$work/rin.gil"
run run -q --engine sim "$work/rin.gil"
check "9.2e18 in range(2**63-1) is True" $([[ $status -eq 0 ]] && [[ "$(cat "$work/out")" == $'True\nTrue' ]]; echo $?)
printf 'int("9223372036854775808")\n' >"$work/intbig.gil"
run run -q --engine sim "$work/intbig.gil"
check "int('9223372036854775808'): OverflowError as docs promise" \
  $([[ $status -eq 1 ]] && tail -n1 "$work/err" | grep -q "^OverflowError"; echo $?)
for bytes in '\xc0\x80' '\xed\xa0\x80' '\xf4\x90\x80\x80' '\xe0\x80\x80'; do
  printf "x = 1\ns = \"a$bytes\"\n" >"$work/utf.gil"
  run run "$work/utf.gil"
  check "overlong/surrogate UTF-8 $bytes: SyntaxError at 2:7" \
    $([[ $status -eq 2 ]] && head -n1 "$work/err" | grep -q "utf.gil:2:7: SyntaxError: invalid UTF-8"; echo $?)
done
printf 'x = (\n' >"$work/syn.gil"
rm -f "$work/t.json" "$work/r.json"
run run "$work/syn.gil" --trace "$work/t.json" --json "$work/r.json"
check "exit 2 says why no --trace/--json was written" \
  $([[ $status -eq 2 ]] && [[ ! -e "$work/t.json" ]] && grep -q "no --trace or --json written" "$work/err"; echo $?)

# Tuples, dicts and sets nested 100,000 deep (through lists too) cross the same way; the process
# gets its own copies: what it changes, its parent does not see.
printf 'a = []\nfor i in range(100000):\n    a = ({"k": [a]},)\ndef f(x, d, s):\n    n = 0\n    while len(x) > 0:\n        x = x[0]["k"][0]\n        n += 1\n    d["t"][1].append(9)\n    s.add(3)\n    print(n, d, s)\nd = {"t": (1, [2])}\ns = {1, (2, "x")}\np = spawn_process(f, a, d, s)\np.join()\nprint(d, len(s))\n' >"$work/deepcopy2.gil"
for e in $engines; do
  run run -q --engine $e "$work/deepcopy2.gil"
  check "tuples, dicts and sets nested 100,000 deep sent to a process, copied ($e)" \
    $([[ $status -eq 0 ]] && [[ "$(cat "$work/out")" == "100000 {'t': (1, [2, 9])} {1, 3, (2, 'x')}
{'t': (1, [2])} 2" ]]; echo $?)
done

# A list nested 100,000 deep sent to a process: copied without recursion, no C++ stack overflow.
printf 'a = []\nfor i in range(100000):\n    a = [a]\ndef f(x):\n    n = 0\n    while len(x) > 0:\n        x = x[0]\n        n += 1\n    print(n)\np = spawn_process(f, a)\np.join()\n' >"$work/deepcopy.gil"
for e in $engines; do
  run run -q --engine $e "$work/deepcopy.gil" --trace "$work/t.json"
  check "a list nested 100,000 deep sent to a process ($e)" \
    $([[ $status -eq 0 ]] && [[ "$(cat "$work/out")" == 100000 ]] && "$gilsim" check "$work/t.json" >/dev/null 2>&1; echo $?)
done

finish
