# subprocess_errors.py: what subprocess gives back when the child goes wrong, and the rest of
# its interface: a file python3 cannot open (exit status 2), a syntax error in the child (1), an
# uncaught exception (1, its traceback on the child's stderr), sys.exit with a message,
# CalledProcessError from check_output, a command that is not a Python script (OSError), bytes
# without text=True, stderr=STDOUT, output passed through, sys.argv, Popen.stdout.read() and a
# wait(timeout=) that runs out. gilsim refuses every command but [sys.executable, "child.py",
# ...]; CPython cannot find this one: both raise an OSError.
#   cd tests/python && python3 subprocess_errors.py
import subprocess
import sys

PY = sys.executable

r = subprocess.run([PY, "children/no_such_child.py"], capture_output=True, text=True)
print("missing file:", r.returncode, "can't open file" in r.stderr, repr(r.stdout))

r = subprocess.run([PY, "children/syntax_error.py"], capture_output=True, text=True)
print("syntax error:", r.returncode, repr(r.stdout))
print(" ", r.stderr.splitlines()[-1])

r = subprocess.run([PY, "children/raises.py"], capture_output=True, text=True)
lines = r.stderr.splitlines()
print("uncaught:", r.returncode, r.stdout.split(), lines[0])
print(" ", lines[-2].strip(), "|", lines[-1])

r = subprocess.run([PY, "children/argv.py", "exit", "goodbye"], capture_output=True, text=True)
print("sys.exit(str):", r.returncode, r.stdout.strip(), r.stderr.strip())

try:
    subprocess.check_output([PY, "children/raises.py"], stderr=subprocess.DEVNULL, text=True)
except subprocess.CalledProcessError as e:
    print("CalledProcessError:", e.returncode, e.cmd[1:], repr(e.output))

try:
    subprocess.run(["no-such-command-for-gilsim", "x"])
except OSError:
    print("not a Python script: OSError")

print("bytes:", subprocess.check_output([PY, "children/square.py", "7"]))
r = subprocess.run([PY, "children/raises.py"], stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True)
print("stderr=STDOUT:", r.stderr, r.stdout.splitlines()[0], "...", r.stdout.splitlines()[-1])

sys.stdout.flush()  # CPython's own buffer first: the child writes straight to the same stdout
print("passed through:", subprocess.call([PY, "children/square.py", "8"]))
print(subprocess.check_output([PY, "-u", "children/argv.py", "a", "b c"], text=True).strip())

p = subprocess.Popen([PY, "children/square.py", "5", "6"], stdout=subprocess.PIPE, text=True)
print("stdout.read():", p.stdout.read().split(), p.wait())

p = subprocess.Popen([PY, "children/sleeper.py", "0.3"], stdout=subprocess.PIPE, text=True)
try:
    p.wait(timeout=0.05)
except subprocess.TimeoutExpired as e:
    print("TimeoutExpired:", e.timeout, p.poll())
print("then:", p.communicate(), p.returncode)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: missing file: 2 True ''
# expect: syntax error: 1 ''
# expect:   SyntaxError: expected ':'
# expect: uncaught: 1 ['checking'] Traceback (most recent call last):
# expect:   raise ValueError(f"negative value: {value}") | ValueError: negative value: -1
# expect: sys.exit(str): 1 ['children/argv.py', 'exit', 'goodbye'] goodbye
# expect: CalledProcessError: 1 ['children/raises.py'] 'checking\n'
# expect: not a Python script: OSError
# expect: bytes: b'49\n'
# expect: stderr=STDOUT: None checking ... ValueError: negative value: -1
# expect: 64
# expect: passed through: 0
# expect: ['children/argv.py', 'a', 'b c']
# expect: stdout.read(): ['25', '36'] 0
# expect: TimeoutExpired: 0.05 None
# expect: then: ('slept\n', None) 0
