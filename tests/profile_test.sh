#!/usr/bin/env bash
# Machine profiles: `gilsim calibrate` writes one, `--profile F` hands it to the sim engine, and a
# bad profile is refused with the reason (docs/fidelity.md "Machine profiles").
#   tests/profile_test.sh path/to/gilsim REPO_ROOT
set -uo pipefail
gilsim="$1"
root="$2"
source "$(dirname "$0")/harness.sh"
printf 'print("fib", 6765)\n' >"$work/hello.gil"

# calibrate: a few rounds are enough to check the file (the figures are the machine's).
run calibrate -o "$work/here.json" --rounds 20 --python /nonexistent/python
check "calibrate writes a profile and says how to use it" \
  $([[ $status -eq 0 ]] && grep -q "use it with .*--profile $work/here.json" "$work/out"; echo $?)
check "calibrate: the profile holds every key, measured or kept" \
  $(python3 - "$work/here.json" <<'PY'; echo $?
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"format", "machine", "notes", "wake_latency_ns", "same_core_wake_ns", "signal_cost_ns",
        "mutex_hold_ns", "time_slice_ns", "wakeup_granularity_ns", "timer_slack_ns", "jitter",
        "cost_scale"}
assert set(d) == keys, set(d) ^ keys
assert d["format"] == "gilsim-profile"
assert d["same_core_wake_ns"] > 0 and d["signal_cost_ns"] > 0
assert d["cost_scale"] == 1.0 and "not found" in d["notes"]["cost_scale"]
PY
)
run calibrate -o "$work/sem.json" --rounds 20 --python /nonexistent/python --lock semaphore
check "calibrate --lock semaphore: no mutex of the GIL's own to hold" \
  $([[ $status -eq 0 ]] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['mutex_hold_ns'] != 0)" "$work/sem.json"; echo $?)
run calibrate -o "$work/x.json" --lock spinlock
check "calibrate --lock of an unknown kind: exit 2" $([[ $status -eq 2 ]]; echo $?)
run run "$work/hello.gil" --engine sim --profile "$work/here.json" -q
check "a calibrated profile runs on the sim engine" $([[ $status -eq 0 ]] && grep -q "fib 6765" "$work/out"; echo $?)

# Bad profiles and misuse: exit 2 before running, with the reason.
run run "$work/hello.gil" --profile "$work/here.json"
check "--profile on the threads engine: exit 2, says it is for the sim engine" \
  $([[ $status -eq 2 && ! -s "$work/out" ]] && grep -q "profile is for the sim engine" "$work/err"; echo $?)
printf '{"format": "gilsim-profile", "wake_latnecy_ns": 5}\n' >"$work/typo.json"
run run "$work/hello.gil" --engine sim --profile "$work/typo.json"
check "a profile with an unknown key: exit 2, names the key and the known ones" \
  $([[ $status -eq 2 ]] && grep -q "unknown key 'wake_latnecy_ns' (known: .*wake_latency_ns" "$work/err"; echo $?)
printf '{"format": "gilsim-profile", "signal_cost_ns": -1}\n' >"$work/neg.json"
run run "$work/hello.gil" --engine sim --profile "$work/neg.json"
check "a negative duration: exit 2" $([[ $status -eq 2 ]] && grep -q "signal_cost_ns must be" "$work/err"; echo $?)
printf 'not json' >"$work/bad.json"
run run "$work/hello.gil" --engine sim --profile "$work/bad.json"
check "a profile that is not JSON: exit 2" $([[ $status -eq 2 ]] && grep -q "is not a JSON object" "$work/err"; echo $?)
printf '{"wake_latency_ns": 5}\n' >"$work/noformat.json"
run run "$work/hello.gil" --engine sim --profile "$work/noformat.json"
check "a JSON file that is not a profile: exit 2" $([[ $status -eq 2 ]] && grep -q "is not a gilsim profile" "$work/err"; echo $?)
run run "$work/hello.gil" --engine sim --profile "$work/missing.json"
check "a missing profile: exit 2" $([[ $status -eq 2 ]] && grep -q "cannot read the profile" "$work/err"; echo $?)

# The profile reaches the model (exact on the sim engine): legacy's two-thread slowdown on 2 cores
# comes from its lock's own mutex (a woken waiter holds it; the holder then sleeps on it), so a
# semaphore GIL's profile (Python 2.7 on Linux) slows down far less than the built-in one (the
# mutex + condition variable of Python 2 on macOS, Beazley's 2010 figures).
ratio() {  # ratio PROFILE-ARGS...: legacy, 2 threads over 1, on 2 virtual cores
  local one two
  one=$("$gilsim" run --engine sim --cores 2 --policy legacy -q "$@" \
    "$root/tools/runtimes/phenomena.py" cpu 1 400000 | awk '{print $2}')
  two=$("$gilsim" run --engine sim --cores 2 --policy legacy -q "$@" \
    "$root/tools/runtimes/phenomena.py" cpu 2 400000 | awk '{print $2}')
  python3 -c "print($two / $one)"
}
builtin=$(ratio)
printf '{"format": "gilsim-profile", "mutex_hold_ns": 0}\n' >"$work/semaphore.json"
semaphore=$(ratio --profile "$work/semaphore.json")
echo "     legacy 2 threads / 1: built-in profile ${builtin}x, semaphore GIL ${semaphore}x"
check "built-in profile: legacy's two threads take 1.8x or more (the 2010 battle)" \
  $(python3 -c "import sys; sys.exit(not $builtin >= 1.8)"; echo $?)
check "a semaphore GIL's profile: legacy's slowdown is at most 1.5x" \
  $(python3 -c "import sys; sys.exit(not $semaphore <= 1.5)"; echo $?)
finish
