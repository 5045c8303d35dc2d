#!/usr/bin/env bash
# `gilsim scale`: the table, the speedups a sweep must show, the CSV / JSON / SVG files, bad input.
# Everything runs on the sim engine (deterministic, virtual time), so bounds hold on any machine.
#   tests/scale_test.sh path/to/gilsim path/to/repo path/to/python3
set -uo pipefail
gilsim="$1"
root="$2"
python="${3:-python3}"
source "$(dirname "$0")/harness.sh"

split="$root/workloads/split_work.py"
run scale "$split" --param threads=1,2,4 --policy modern,none --engine sim --cores 4 \
  -D n=300000 --repeat 3 --csv "$work/s.csv" --json "$work/s.json" --svg "$work/s.svg"
check "a sweep exits 0" $([[ $status -eq 0 ]]; echo $?)
check "progress names every cell: [k/6] policy threads=V" \
  $([[ $(grep -cE '^\[[1-6]/6\] (modern|none) threads=[124]:' "$work/err") -eq 6 ]]; echo $?)
check "the script's own print output is not shown" $(! grep -q "elapsed" "$work/out" "$work/err"; echo $?)

# The table: a header naming the policies, one with the column names, one row per value.
check "table header names both policies" $(grep -qE '^ +modern +none$' "$work/out"; echo $?)
check "table column names" $(grep -qE '^threads +wall s +speedup +wall s +speedup +ideal$' "$work/out"; echo $?)
check "table has a row per value" \
  $([[ $(grep -cE '^[124] +[0-9.e-]+ +[0-9.]+ +[0-9.e-]+ +[0-9.]+ +[0-9.]+$' "$work/out") -eq 3 ]]; echo $?)

# The speedups (from the JSON): none scales with the threads on 4 cores, modern does not.
cat >"$work/check_speedups.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bounds = {("none", 1): (0.95, 1.05), ("none", 2): (1.8, 2.1), ("none", 4): (3.4, 4.1),
          ("modern", 1): (0.95, 1.05), ("modern", 2): (0.85, 1.1), ("modern", 4): (0.85, 1.1)}
cells = {(c["policy"], c["value"]): c for c in d["cells"]}
assert set(cells) == set(bounds), sorted(cells)
for key, (lo, hi) in bounds.items():
    s = cells[key]["speedup"]
    assert lo <= s <= hi, (key, s)
    assert len(cells[key]["runs"]) == 3, key
    runs = sorted(cells[key]["runs"])
    assert cells[key]["wall_s"] == runs[1], key  # the median of three
assert d["script"].endswith("split_work.py") and d["param"] == "threads"
assert d["values"] == [1, 2, 4] and d["policies"] == ["modern", "none"]
assert d["engine"] == "sim" and d["repeat"] == 3 and d["complete"] is True
assert cells[("none", 4)]["ideal_speedup"] == 4
PY
check "JSON: none speeds up ~1, 2, 4x; modern stays ~1x; medians of 3" \
  $("$python" "$work/check_speedups.py" "$work/s.json" >"$work/py" 2>&1 || { cat "$work/py" >>"$work/err"; false; }; echo $?)

cat >"$work/check_csv.py" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
assert list(rows[0].keys()) == ["policy", "value", "wall_s", "speedup", "repeat"], rows[0].keys()
assert len(rows) == 6
for row, cell in zip(rows, d["cells"]):
    assert row["policy"] == cell["policy"] and int(row["value"]) == cell["value"]
    assert abs(float(row["wall_s"]) - cell["wall_s"]) <= 1e-6 * cell["wall_s"]
    assert abs(float(row["speedup"]) - cell["speedup"]) < 1e-4 and row["repeat"] == "3"
PY
check "CSV: a row per cell, agreeing with the JSON" \
  $("$python" "$work/check_csv.py" "$work/s.csv" "$work/s.json" >"$work/py" 2>&1 || { cat "$work/py" >>"$work/err"; false; }; echo $?)

cat >"$work/check_svg.py" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg"
text = [t.text for t in root.iter(ns + "text")]
assert any("split_work.py" in t and "sim" in t for t in text), text  # the title
for label in ["threads", "speedup", "modern", "none", "ideal (linear)"]:
    assert label in text, label
lines = list(root.iter(ns + "polyline"))
assert len(lines) == 3, len(lines)  # modern, none, the ideal
assert sum(1 for l in lines if l.get("stroke-dasharray")) == 1  # only the ideal is dashed
assert not list(root.iter(ns + "script")) and "href" not in open(sys.argv[1]).read()
PY
check "SVG: valid XML, title, axis labels, legend, one dashed ideal line, self-contained" \
  $("$python" "$work/check_svg.py" "$work/s.svg" >"$work/py" 2>&1 || { cat "$work/py" >>"$work/err"; false; }; echo $?)

# Values that are not numbers: spread evenly, no ideal line.
run scale "$split" --param threads=1,2 -D n=1000 --engine sim --repeat 1 -q --svg "$work/t.svg"
check "-q: no progress lines" $([[ $status -eq 0 && ! -s "$work/err" ]]; echo $?)
printf 'print(param("mode", "a"))\n' >"$work/modes.gil"
run scale "$work/modes.gil" --param mode=fast,slow --engine sim --repeat 1 --svg "$work/m.svg" --json "$work/m.json"
check "string values: no ideal column or line" \
  $([[ $status -eq 0 ]] && ! grep -q ideal "$work/out" "$work/m.svg" && grep -q '"fast"' "$work/m.json"; echo $?)

# Bad input: exit 2 with a message saying what is wrong.
run scale "$split" --param threads --engine sim
check "--param without = exits 2" $([[ $status -eq 2 ]] && grep -q "gilsim scale: --param expects NAME=V1,V2" "$work/err"; echo $?)
run scale "$split" --param threads=1,,4 --engine sim
check "an empty value exits 2" $([[ $status -eq 2 ]] && grep -q "empty value" "$work/err"; echo $?)
run scale "$split" --param threads= --engine sim
check "no values exits 2" $([[ $status -eq 2 ]] && grep -q "empty value" "$work/err"; echo $?)
run scale "$split" --param threads=1,2 --policy modern,bogus --engine sim
check "unknown policy exits 2 and lists the known" \
  $([[ $status -eq 2 ]] && grep -q "unknown policy 'bogus' (one of: legacy, modern" "$work/err"; echo $?)
run scale "$work/missing.gil" --param threads=1,2 --engine sim
check "missing script exits 2" $([[ $status -eq 2 ]] && grep -q "cannot open" "$work/err"; echo $?)
run scale "$split" --param threads=1,2 -D threads=3 --engine sim
check "-D of the swept name exits 2" $([[ $status -eq 2 ]] && grep -q "drop the -D" "$work/err"; echo $?)
run scale "$split" --param threads=1 --repeat 0 --engine sim
check "--repeat 0 exits 2" $([[ $status -eq 2 ]] && grep -q "repeat" "$work/err"; echo $?)
run scale "$split" --engine sim
check "no --param exits 2" $([[ $status -eq 2 ]] && grep -q "param" "$work/err"; echo $?)

# A script that fails at the second value: exit 1, its traceback shown, the first row kept.
printf 'n = param("n", 1)\nif n > 1:\n    print(1 // 0)\n' >"$work/fails.gil"
run scale "$work/fails.gil" --param n=1,2,3 --engine sim --repeat 2 --json "$work/f.json" --csv "$work/f.csv"
check "a script error exits 1" $([[ $status -eq 1 ]]; echo $?)
check "the failing cell and its traceback are shown" \
  $(grep -q "gilsim scale: modern n=2 (run 1 of 2) failed with exit status 1" "$work/err" &&
    grep -q "ZeroDivisionError" "$work/err"; echo $?)
check "results so far are written, marked incomplete" \
  $("$python" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['complete'] is False and [c['value'] for c in d['cells']] == [1]" "$work/f.json" &&
    [[ $(wc -l <"$work/f.csv") -eq 2 ]]; echo $?)
check "the table marks the rows not measured" $(grep -qE '^2 +- +-' "$work/out"; echo $?)

# --jobs N: the cells measured in N processes at once; on the sim engine every figure and line
# the same as one at a time (stdout, stderr and the JSON byte for byte), also for a sweep that
# stops at a failing cell.
for jobs in 1 3; do
  run scale "$split" --param threads=1,2,4 --policy modern,none --engine sim --cores 4 \
    -D n=100000 --repeat 2 --json "$work/j$jobs.json" --jobs $jobs
  cp "$work/out" "$work/out$jobs"; cp "$work/err" "$work/err$jobs"
  run scale "$work/fails.gil" --param n=1,2,3 --engine sim --repeat 2 --policy modern,fifo --jobs $jobs
  cp "$work/out" "$work/fout$jobs"; cp "$work/err" "$work/ferr$jobs"; echo "$status" >"$work/fstatus$jobs"
done
check "--jobs 3 prints and writes what --jobs 1 does" \
  $(cmp -s "$work/out1" "$work/out3" && cmp -s "$work/err1" "$work/err3" &&
    cmp -s "$work/j1.json" "$work/j3.json"; echo $?)
check "--jobs 3 stops at the same failing cell as --jobs 1" \
  $(cmp -s "$work/fout1" "$work/fout3" && cmp -s "$work/ferr1" "$work/ferr3" &&
    [[ $(cat "$work/fstatus3") -eq 1 ]]; echo $?)
run scale "$split" --param threads=1 --engine sim --jobs 0
check "--jobs 0 exits 2" $([[ $status -eq 2 ]]; echo $?)
# On a terminal a progress bar is drawn on stderr's last line (script(1) gives it a terminal).
if command -v script >/dev/null; then
  script -qec "$gilsim scale $split --param threads=1,2 --engine sim -D n=100000 --jobs 2 --repeat 1" \
    /dev/null >"$work/tty" 2>&1 </dev/null
  check "a progress bar on a terminal" $(grep -q "] 2/2 cells" "$work/tty"; echo $?)
else
  echo "skip the progress bar check: no script(1)"
fi

finish
