# subprocess_run.py: running independent Python code in parallel as a child process with its own
# interpreter and GIL, as the seed blog post suggests: subprocess.run, check_output and Popen on
# [sys.executable, "children/square.py", ...]. The parent waits with its GIL released.
#   cd tests/python && python3 subprocess_run.py
#   cd tests/python && gilsim run subprocess_run.py --engine sim
import subprocess
import sys

CHILD = "children/square.py"

done = subprocess.run([sys.executable, CHILD, "3", "4"], capture_output=True, text=True)
print("run:", done.returncode, done.stdout.split())

out = subprocess.check_output([sys.executable, CHILD, "12"], text=True)
print("check_output:", out.strip())

procs = [subprocess.Popen([sys.executable, CHILD, str(n)], stdout=subprocess.PIPE, text=True)
         for n in range(5)]
results = []
for p in procs:
    stdout, _ = p.communicate()
    results.append(int(stdout))
print("Popen x5:", results, "return codes:", [p.returncode for p in procs])

failed = subprocess.run([sys.executable, CHILD, "fail"], capture_output=True, text=True)
print("failed child:", failed.returncode, failed.stderr.strip())
try:
    subprocess.check_output([sys.executable, CHILD, "fail"], stderr=subprocess.DEVNULL)
except subprocess.CalledProcessError as e:
    print("CalledProcessError, returncode", e.returncode)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: run: 0 ['9', '16']
# expect: check_output: 144
# expect: Popen x5: [0, 1, 4, 9, 16] return codes: [0, 0, 0, 0, 0]
# expect: failed child: 3 child failing
# expect: CalledProcessError, returncode 3
