"""Every key `gilsim run --json` wrote is documented in docs/results.md, and every documented key
is written (but `sim`, which only sim runs write).
    python3 tests/json_keys_documented.py RESULT.json docs/results.md"""
import json
import re
import sys

result = json.load(open(sys.argv[1]))
doc = open(sys.argv[2]).read()
# A table row's first cell: `key`, or several: `run_s`, `wait_s`, ...
documented = set()
for cell in re.findall(r"^\| ((?:`\w+`(?:, )?)+) \|", doc, re.M):
    documented |= set(re.findall(r"`(\w+)`", cell))
written = set(result) | set(result["threads"][0]) | set(result["gil"])
missing = written - documented
extra = documented - written - {"sim"}
if missing or extra:
    print("written but not documented:", sorted(missing), "documented but not written:", sorted(extra))
    sys.exit(1)
