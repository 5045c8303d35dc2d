# The shell tests' common part, sourced after setting $gilsim: a scratch folder $work, `run ARGS`
# (gilsim with a time limit; $status, $work/out, $work/err) and `check NAME STATUS`, which counts
# and prints one line per check; `finish` prints the closing line ctest reads and sets the exit.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check NAME CONDITION-EXIT-STATUS
  if [[ "$2" -eq 0 ]]; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1"
    [[ -f "$work/out" ]] && sed 's/^/     out: /' "$work/out" | tail -n 12
    [[ -f "$work/err" ]] && sed 's/^/     err: /' "$work/err" | head -n 12
  fi
}

run() {  # run ARGS... ; sets $status, stdout in $work/out, stderr in $work/err
  timeout 120 "$gilsim" "$@" >"$work/out" 2>"$work/err"
  status=$?
}

finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
