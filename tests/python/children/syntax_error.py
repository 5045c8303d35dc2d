# children/syntax_error.py: a child script for subprocess_errors.py (not a test of its own): it
# does not compile, so python3 (and gilsim) stop before running it: exit status 1, the
# SyntaxError on its stderr.
print("never printed")
for n in range(3)
    print(n)
